"""The printable ticket (A4): the trip, its validity, the QR of the signed token, the price.

An inspector only needs the QR code: it holds the whole signed token and is
checked offline. The text repeats the claims for the passenger.
"""
from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ticketing.documents.page import (
    BODY,
    CONTENT_WIDTH,
    HEADING,
    LABEL,
    SHADE,
    SMALL,
    STRONG,
    STRONG_RIGHT,
    TITLE,
    build_pdf,
    money,
    table,
    text,
    when,
)
from ticketing.documents.qr import qr_drawing
from ticketing.documents.ticket import TicketDocument
from ticketing.models import VALID

QR_SIZE = 58 * mm
WARNING = ParagraphStyle("warning", parent=STRONG, textColor=colors.HexColor("#b42318"))


def _trip(data: TicketDocument) -> str:
    if not data.legs:
        return "Ticket"
    return f"{data.legs[0].from_stop} → {data.legs[-1].to_stop}"


def _summary(data: TicketDocument) -> Table:
    facts = [
        ("Valid from", when(data.valid_from)),
        ("Valid until", when(data.valid_until)),
        ("Rider", data.rider_category),
        ("Price", money(data.total)),
        ("Status", data.status),
    ]
    left: list[Flowable] = [Paragraph(text(_trip(data)), STRONG), Spacer(1, 3 * mm)]
    rows = [[Paragraph(label, LABEL), Paragraph(text(value), BODY)] for label, value in facts]
    facts_table = Table(rows, colWidths=[26 * mm, CONTENT_WIDTH - QR_SIZE - 34 * mm], hAlign="LEFT")
    facts_table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                                     ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]))
    if data.status != VALID:
        left += [Paragraph(text(f"This ticket is {data.status}: it is not valid for travel."), WARNING),
                 Spacer(1, 2 * mm)]
    left += [facts_table, Spacer(1, 2 * mm),
             Paragraph(f"Times in {text(data.timezone)}. Valid only for the trip and rider shown.", SMALL)]
    right = [qr_drawing(data.token, QR_SIZE), Paragraph("Scan to verify (signed, checked offline)", SMALL)]
    box = Table([[left, right]], colWidths=[CONTENT_WIDTH - QR_SIZE - 6 * mm, QR_SIZE + 6 * mm])
    box.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                             ("LEFTPADDING", (0, 0), (0, 0), 5 * mm), ("TOPPADDING", (0, 0), (-1, -1), 4 * mm),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm)]))
    return box


def _journey(data: TicketDocument) -> Table:
    first_day = data.legs[0].departure.date() if data.legs and data.legs[0].departure else None
    rows: list[list[object]] = [["Departure", "From", "Arrival", "To", "Line", "Operator"]]
    for leg in data.legs:
        same_day = leg.departure is not None and leg.departure.date() == first_day
        rows.append([
            when(leg.departure, with_date=not same_day),
            Paragraph(text(leg.from_stop), BODY),
            when(leg.arrival, with_date=not (leg.arrival is not None and leg.arrival.date() == first_day)),
            Paragraph(text(leg.to_stop), BODY),
            Paragraph(text(leg.route_name), BODY),
            Paragraph(text(f"{leg.operator_name} ({leg.operator_id})" if leg.operator_id else "–"), BODY),
        ])
    w = CONTENT_WIDTH
    return table(rows, [0.1 * w, 0.24 * w, 0.1 * w, 0.24 * w, 0.07 * w, 0.25 * w])


def _price(data: TicketDocument) -> list[Flowable]:
    w = CONTENT_WIDTH
    products = [["Fare product", "Amount"]] + [[Paragraph(text(p.label), BODY), money(p.amount)]
                                               for p in data.products]
    operators = [["Share of the price per operator", "Amount"]] + [[Paragraph(text(o.label), BODY), money(o.amount)]
                                                                   for o in data.operators]
    total = Table([[Paragraph("Total paid", STRONG), Paragraph(text(money(data.total)), STRONG_RIGHT)]],
                  colWidths=[0.75 * w, 0.25 * w], hAlign="LEFT")
    total.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    return [table(products, [0.75 * w, 0.25 * w], right_columns=[1]), Spacer(1, 2 * mm),
            table(operators, [0.75 * w, 0.25 * w], right_columns=[1]), Spacer(1, 1 * mm), total]


def render_ticket_pdf(data: TicketDocument) -> bytes:
    date = f" on {data.legs[0].departure:%Y-%m-%d}" if data.legs and data.legs[0].departure else ""
    story: list[Flowable] = [
        Paragraph("Ticket", TITLE),
        Paragraph(text(f"{_trip(data)}{date}"), SMALL),
        Spacer(1, 5 * mm),
        _summary(data),
        Paragraph("Journey", HEADING),
        _journey(data),
        Paragraph("Price", HEADING),
        *_price(data),
        Spacer(1, 6 * mm),
        Paragraph(text(f"Ticket {data.ticket_id} · order {data.order_id} · issued {when(data.issued_at)}"), SMALL),
    ]
    return build_pdf(story, title=f"Ticket {data.ticket_id}", author="Farebridge", subject=_trip(data),
                     footer=f"Farebridge ticket {data.ticket_id}")
