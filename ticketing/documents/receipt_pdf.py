"""The receipt (A4) of one payment: seller, number, date, method, lines per operator with VAT.

Every amount comes from ``ReceiptDocument`` as computed by
``ticketing.documents.vat``; nothing is re-rounded here, so the printed
lines, the summary per rate and the totals add up to the cent.
"""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ticketing.documents.page import (
    BODY,
    CONTENT_WIDTH,
    HEADING,
    LABEL,
    RULE,
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
from ticketing.documents.receipt import ReceiptDocument
from ticketing.documents.vat import rate_percent


def _header(data: ReceiptDocument) -> Table:
    seller = [Paragraph(f"<b>{text(data.seller.name)}</b>", BODY)]
    seller += [Paragraph(text(line), BODY) for line in data.seller.address]
    if data.seller.vat_id:
        seller.append(Paragraph(text(f"VAT ID {data.seller.vat_id}"), BODY))
    facts = [("Receipt no.", data.receipt_number), ("Date", when(data.issued_at)),
             ("Payment method", data.payment_method), ("Payment", data.payment_id), ("Order", data.order_id)]
    if data.ticket_id:
        facts.append(("Ticket", data.ticket_id))
    rows = [[Paragraph(label, LABEL), Paragraph(text(value), SMALL if len(value) > 24 else BODY)]
            for label, value in facts]
    details = Table(rows, colWidths=[27 * mm, 68 * mm])
    details.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    header = Table([[seller, details]], colWidths=[CONTENT_WIDTH - 95 * mm, 95 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return header


def _lines(data: ReceiptDocument) -> Table:
    w = CONTENT_WIDTH
    rows: list[list[object]] = [["Carried by (operator)", "Net", "VAT rate", "VAT", "Gross"]]
    rows += [[Paragraph(text(f"{line.operator_name} ({line.operator_id})" if line.operator_id else line.operator_name),
                        BODY),
              money(line.net), f"{rate_percent(line.rate_bp)} %", money(line.vat), money(line.gross)]
             for line in data.lines]
    return table(rows, [0.44 * w, 0.14 * w, 0.14 * w, 0.14 * w, 0.14 * w], right_columns=[1, 2, 3, 4])


def _rates(data: ReceiptDocument) -> Table:
    w = CONTENT_WIDTH
    rows: list[list[object]] = [["VAT summary", "Net", "VAT rate", "VAT", "Gross"]]
    rows += [[f"VAT {rate_percent(r.rate_bp)} %", money(r.net), f"{rate_percent(r.rate_bp)} %", money(r.vat),
              money(r.gross)] for r in data.rates]
    return table(rows, [0.44 * w, 0.14 * w, 0.14 * w, 0.14 * w, 0.14 * w], right_columns=[1, 2, 3, 4])


def _totals(data: ReceiptDocument) -> Table:
    rows = [["Subtotal (net)", money(data.net)], ["VAT", money(data.vat)],
            [Paragraph("Total", STRONG), Paragraph(text(money(data.total)), STRONG_RIGHT)]]
    totals = Table(rows, colWidths=[45 * mm, 35 * mm], hAlign="RIGHT")
    totals.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica", 9.5), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                                ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                                ("LINEABOVE", (0, 2), (-1, 2), 0.8, RULE), ("TOPPADDING", (0, 2), (-1, 2), 4)]))
    return totals


def render_receipt_pdf(data: ReceiptDocument) -> bytes:
    story: list[Flowable] = [
        _header(data),
        Spacer(1, 8 * mm),
        Paragraph("Receipt", TITLE),
        Paragraph(text(data.description), BODY),
        Spacer(1, 4 * mm),
        _lines(data),
        Spacer(1, 3 * mm),
        _rates(data),
        Spacer(1, 3 * mm),
        _totals(data),
        Paragraph("Notes", HEADING),
        Paragraph(text(f"Paid in full on {when(data.issued_at)}. Prices include VAT. {data.seller.name} sells "
                       "this ticket on behalf of the operators listed, each at its own VAT rate. The VAT is "
                       "computed once per rate on that rate's gross total, rounded half up to the cent."), SMALL),
    ]
    return build_pdf(story, title=f"Receipt {data.receipt_number}", author=data.seller.name,
                     subject=data.description, footer=f"{data.seller.name} · receipt {data.receipt_number}")
