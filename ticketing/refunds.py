"""Refunds of tickets: full or partial, with the fee of the order's tariff, never more than was paid.

``refund_ticket`` locks the ticket, checks what is still refundable in the same
transaction, gives the money back (to the card through the payment provider, or
to the wallet) and writes the ``Refund``, the ticket's new status and the
``SaleRefunded`` event together. Amounts: a refund consumes ``amount + fee`` of
what was paid; ``amount`` goes back to the passenger, ``fee`` stays with the
association.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, UtcDateTime, new_id, utcnow
from core.errors import Conflict, InvalidStateTransition, NotFound, RefundWindowClosed, ValidationFailed
from core.money import Money
from core.outbox import SALE_REFUNDED, add_event
from core.unit_of_work import SqlUnitOfWork
from fares.models import TariffVersion
from fares.native.v2.model import REFUND_UNTIL_DEPARTURE, REFUND_UNTIL_VALIDITY_END, RefundPolicy, build_refund_policy
from ticketing.models import PARTIALLY_REFUNDED, REFUNDED, VALID_STATES, Order, Payment, Ticket
from ticketing.payment_providers import PaymentProvider, refund_with_retries

log = logging.getLogger(__name__)

# Ticket states after a refund. A partly refunded ticket still travels; a fully refunded one does not.
# (Ticket.status is String(16): "partially_refunded" would not fit, hence the shorter spelling.)
CARD, WALLET = "card", "wallet"
MAX_REASON = 500

# Tariffs without a refund_policy (native format 1, GTFS, format 2 without the block): no fee, partial
# refunds allowed, until the ticket's validity ends.
DEFAULT_REFUND_POLICY = RefundPolicy(fee_minor=0, fee_percent=Fraction(0), max_fee_minor=None, allow_partial=True,
                                     until=REFUND_UNTIL_VALIDITY_END)


class Refund(Base):
    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("fee_minor >= 0", name="fee_not_negative"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"))
    amount_minor: Mapped[int] = mapped_column(Integer)  # back to the passenger
    fee_minor: Mapped[int] = mapped_column(Integer)  # kept by the association
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(String(MAX_REASON))
    payment_method: Mapped[str] = mapped_column(String(16))  # where the money went back to: card or wallet
    provider_reference: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


@dataclass(frozen=True, slots=True)
class RefundTicket:
    ticket_id: str
    amount_minor: int | None  # the part of the price to refund, fee included; None: all that is left
    reason: str | None = None


def refund_policy_for(session: Session, tariff_version_id: int | None) -> RefundPolicy:
    """The policy of the tariff version the order was priced with (never today's tariff)."""
    version = session.get(TariffVersion, tariff_version_id) if tariff_version_id is not None else None
    if version is None or version.format != "native" or version.content.get("format_version") != 2:
        return DEFAULT_REFUND_POLICY
    return build_refund_policy(version.content.get("refund_policy"), version.currency) or DEFAULT_REFUND_POLICY


def refund_deadline(ticket: Ticket, order: Order, policy: RefundPolicy) -> datetime:
    """Refunds are possible before this moment: the end of validity, or the first departure."""
    if policy.until != REFUND_UNTIL_DEPARTURE:
        return ticket.valid_until
    departures = [datetime.fromisoformat(leg["departure"]) for leg in order.legs if leg.get("departure")]
    aware = [moment for moment in departures if moment.tzinfo is not None]
    # An untimed ticket can be used from the start of its validity: that is its "departure".
    return min(min(aware), ticket.valid_until) if aware else ticket.valid_from


def refunded_so_far(session: Session, ticket_id: str) -> int:
    """What earlier refunds of the ticket consumed of the payment (amounts and fees)."""
    total = session.scalar(
        select(func.coalesce(func.sum(Refund.amount_minor + Refund.fee_minor), 0)).where(Refund.ticket_id == ticket_id)
    )
    return int(total or 0)


def refundable_minor(session: Session, ticket: Ticket) -> int:
    payment = session.get(Payment, ticket.payment_id)
    assert payment is not None
    return payment.amount_minor - refunded_so_far(session, ticket.id)


def refunded_total(session: Session, start: datetime, end: datetime, currency: str) -> int:
    """Money given back to passengers in ``[start, end)`` (fees excluded), in minor units."""
    total = session.scalar(
        select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
            Refund.currency == currency, Refund.created_at >= start, Refund.created_at < end,
        )
    )
    return int(total or 0)


def _lock_ticket(session: Session, ticket_id: str) -> Ticket:
    """Serialise refunds of one ticket until commit; must be the transaction's first statement.

    PostgreSQL: ``SELECT ... FOR UPDATE`` holds the row; a concurrent refund waits,
    then (READ COMMITTED) reads the winner's refunds. SQLite has no row locks: a
    write as the first statement takes the database's write lock, so a concurrent
    writer waits (busy timeout) and then starts from a fresh snapshot.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Ticket).where(Ticket.id == ticket_id).values(status=Ticket.status)
                        .execution_options(synchronize_session=False))
    ticket = session.scalars(
        select(Ticket).where(Ticket.id == ticket_id).with_for_update().execution_options(populate_existing=True)
    ).one_or_none()
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    return ticket


def _gross(cmd: RefundTicket, remaining: int, policy: RefundPolicy, currency: str) -> int:
    """The part of the payment this refund consumes (the passenger's amount plus the fee)."""
    if remaining <= 0:
        raise InvalidStateTransition("nothing is left to refund on this ticket", code="nothing_to_refund")
    if cmd.amount_minor is None:
        return remaining
    if cmd.amount_minor <= 0:
        raise ValidationFailed("the amount to refund must be more than zero",
                               details=[{"field": "amount", "message": "must be more than 0"}])
    if cmd.amount_minor > remaining:
        left = Money(remaining, currency).format()
        raise ValidationFailed(f"at most {left} {currency} can still be refunded on this ticket",
                               details=[{"field": "amount", "message": f"at most {left}"}],
                               code="amount_exceeds_refundable")
    if cmd.amount_minor < remaining and not policy.allow_partial:
        raise ValidationFailed("this tariff refunds whole tickets only; leave out the amount",
                               details=[{"field": "amount", "message": "partial refunds are not allowed"}],
                               code="partial_refund_not_allowed")
    return cmd.amount_minor


def _reason(text: str | None) -> str | None:
    reason = (text or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise ValidationFailed(f"the reason is longer than {MAX_REASON} characters",
                               details=[{"field": "reason", "message": f"at most {MAX_REASON} characters"}])
    return reason


def refund_ticket(
    uow: SqlUnitOfWork, cmd: RefundTicket, now: datetime, policy: RefundPolicy | None,
    provider: PaymentProvider | None = None,
) -> Refund:
    """Refund all that is left (``amount_minor`` None) or part of it.

    ``policy`` None: the policy of the order's tariff version. ``provider`` gives
    card payments back; wallet payments go back with ``ticketing.wallets.credit_refund``.
    """
    reason = _reason(cmd.reason)
    with uow:
        session = uow.session
        ticket = _lock_ticket(session, cmd.ticket_id)
        order = session.get(Order, ticket.order_id)
        payment = session.get(Payment, ticket.payment_id)
        assert order is not None and payment is not None
        if ticket.status == REFUNDED:
            raise InvalidStateTransition(f"ticket {ticket.id} is already refunded", code="already_refunded")
        if ticket.status not in VALID_STATES:
            raise InvalidStateTransition(f"a ticket in state {ticket.status} cannot be refunded")
        policy = policy or refund_policy_for(session, order.tariff_version_id)
        deadline = refund_deadline(ticket, order, policy)
        if now >= deadline:
            what = "departure" if policy.until == REFUND_UNTIL_DEPARTURE else "the end of its validity"
            raise RefundWindowClosed(f"this ticket could be refunded until {what} ({deadline.isoformat()})",
                                     details={"until": policy.until, "deadline": deadline.isoformat()})
        already = refunded_so_far(session, ticket.id)
        remaining = payment.amount_minor - already
        gross = _gross(cmd, remaining, policy, payment.currency)
        fee = policy.fee_for(gross)
        amount = gross - fee
        if amount <= 0:
            raise ValidationFailed(
                f"the refund fee of {Money(fee, payment.currency).format()} {payment.currency} takes the whole "
                "amount; nothing would be paid back", details=[{"field": "amount", "message": "not above the fee"}],
                code="refund_fee_exceeds_amount")
        refund = Refund(id=new_id(), order_id=order.id, ticket_id=ticket.id, payment_id=payment.id,
                        amount_minor=amount, fee_minor=fee, currency=payment.currency, reason=reason,
                        payment_method=payment.method, created_at=now)
        session.add(refund)
        ticket.status = REFUNDED if already + gross == payment.amount_minor else PARTIALLY_REFUNDED
        add_event(session, SALE_REFUNDED, sale_refunded_payload(refund), now)
        session.flush()  # the database has said yes before money moves
        refund.provider_reference = _pay_back(session, refund, payment, provider, now)
        uow.commit()
        log.info("refunded refund_id=%s ticket_id=%s amount=%s fee=%s", refund.id, ticket.id, amount, fee)
        return refund


def _pay_back(
    session: Session, refund: Refund, payment: Payment, provider: PaymentProvider | None, now: datetime
) -> str | None:
    amount = Money(refund.amount_minor, refund.currency)
    if payment.method == WALLET:
        from ticketing.wallets import credit_refund  # written beside this module; imported when first needed

        credit_refund(session, refund.order_id, amount.minor, amount.currency, refund.id, now)
        return None
    if payment.method != CARD:
        raise InvalidStateTransition(f"payments by {payment.method} cannot be refunded")
    if provider is None:
        raise ValueError("a card refund needs a payment provider")
    result = refund_with_retries(provider, payment.provider_reference or payment.order_id, amount)
    if not result.refunded:
        raise Conflict(f"the payment provider refused the refund: {result.failure_reason}",
                       details={"reason": result.failure_reason}, code="refund_refused_by_provider")
    return result.reference


def sale_refunded_payload(refund: Refund) -> dict[str, Any]:
    """The ``SaleRefunded`` event, exactly as docs/events.md lists it."""
    return {
        "refund_id": refund.id,
        "sale_id": refund.order_id,
        "amount_minor": refund.amount_minor,
        "currency": refund.currency,
        "fee_minor": refund.fee_minor,
        "refunded_at": refund.created_at.isoformat(),
        "payment_method": refund.payment_method,
    }
