"""What a receipt shows for one captured payment: who sold, what, and the VAT in it per rate.

The association sells one ticket on behalf of the operators that carry the
trip, so the receipt has one line per operator: its share of the price (the
order's locked split) at its own VAT rate.

The receipt number is derived from the payment (its local date and the
first 12 hex digits of its id), so it is stable however often the receipt is
printed; the full payment id is printed beside it and identifies it for sure.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import InvalidStateTransition, NotFound
from core.money import Money
from fares.models import StopRow
from operators.models import DEFAULT_VAT_RATE_BP, Operator
from ticketing.documents.ticket import rider_category_name
from ticketing.documents.vat import VatRateTotal, vat_breakdown
from ticketing.models import CAPTURED, Order, Payment, Ticket
from ticketing.services import get_order

PAYMENT_METHODS = {"card": "Card", "wallet": "Prepaid wallet"}


@dataclass(frozen=True, slots=True)
class Seller:
    name: str
    address: tuple[str, ...] = ()
    vat_id: str | None = None


DEFAULT_SELLER = Seller("Farebridge demo association")


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    operator_id: str
    operator_name: str
    rate_bp: int
    net: Money
    vat: Money
    gross: Money


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    seller: Seller
    receipt_number: str
    payment_id: str
    order_id: str
    ticket_id: str | None
    issued_at: datetime  # when the payment was captured, in the document's timezone
    payment_method: str
    description: str
    lines: tuple[ReceiptLine, ...]
    rates: tuple[VatRateTotal, ...]
    net: Money
    vat: Money
    total: Money


def receipt_number(payment: Payment, zone: ZoneInfo) -> str:
    return f"FB-{payment.created_at.astimezone(zone):%Y%m%d}-{payment.id.replace('-', '')[:12].upper()}"


def get_payment(session: Session, payment_id: str) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"no payment {payment_id}")
    return payment


def _shares(session: Session, order: Order, paid: Money) -> list[tuple[str, str, Money, int]]:
    """``(operator_id, name, gross, rate_bp)``: the paid amount split as the order's price was."""
    split = [(o["operator_id"], o["amount_minor"]) for o in order.breakdown.get("operators", [])]
    if not split:
        return [("", "", paid, DEFAULT_VAT_RATE_BP)]
    rows = {op.id: op for op in session.scalars(select(Operator).where(Operator.id.in_([i for i, _ in split])))}
    amounts = paid.allocate([max(minor, 0) for _, minor in split])  # equal to the split when the sums agree
    return [
        (op_id, rows[op_id].name if op_id in rows else op_id, amount,
         rows[op_id].vat_rate_bp if op_id in rows else DEFAULT_VAT_RATE_BP)
        for (op_id, _), amount in zip(split, amounts, strict=True)
    ]


def _description(session: Session, order: Order) -> str:
    legs = order.legs
    trip = ""
    if legs:
        ends = (legs[0]["from_stop_id"], legs[-1]["to_stop_id"])
        names = dict(session.execute(select(StopRow.id, StopRow.name).where(StopRow.id.in_(ends))).all())
        trip = f" {names.get(ends[0], ends[0])} – {names.get(ends[1], ends[1])}"
    category = rider_category_name(session, order.tariff_version_id, order.rider_category)
    return f"Ticket{trip}, {category}"


def _build(session: Session, payment: Payment, order: Order, ticket: Ticket | None, timezone: str,
           seller: Seller) -> ReceiptDocument:
    if payment.status != CAPTURED:
        raise InvalidStateTransition(f"payment {payment.id} was {payment.status}; only a captured payment has a "
                                     "receipt", code="no_receipt")
    zone = ZoneInfo(timezone)
    paid = Money(payment.amount_minor, payment.currency)
    shares = _shares(session, order, paid)
    vat = vat_breakdown([(op_id, gross, rate) for op_id, _, gross, rate in shares])
    lines = tuple(ReceiptLine(line.operator_id, name or seller.name, line.rate_bp, line.net, line.vat, line.gross)
                  for line, (_, name, _, _) in zip(vat.lines, shares, strict=True))
    method = PAYMENT_METHODS.get(payment.method, payment.method)
    if payment.provider_reference:
        method = f"{method} (reference {payment.provider_reference})"
    return ReceiptDocument(
        seller=seller,
        receipt_number=receipt_number(payment, zone),
        payment_id=payment.id,
        order_id=order.id,
        ticket_id=ticket.id if ticket is not None else None,
        issued_at=payment.created_at.astimezone(zone),
        payment_method=method,
        description=_description(session, order),
        lines=lines,
        rates=vat.rates,
        net=vat.net,
        vat=vat.vat,
        total=vat.gross,
    )


def receipt_document(session: Session, payment_id: str, timezone: str = "UTC",
                     seller: Seller = DEFAULT_SELLER) -> ReceiptDocument:
    """``NotFound`` for an unknown payment; ``InvalidStateTransition`` when it was not captured."""
    payment = get_payment(session, payment_id)
    ticket = session.scalars(select(Ticket).where(Ticket.payment_id == payment.id)).first()
    return _build(session, payment, get_order(session, payment.order_id), ticket, timezone, seller)
