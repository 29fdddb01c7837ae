"""Refunds of tickets: the order's owner (its access token) or an admin."""
from __future__ import annotations

import logging
from typing import Any

from core.db import utcnow
from core.errors import ValidationFailed
from core.money import Money
from ticketing.payment_providers import sandbox_provider
from ticketing.refunds import Refund, RefundTicket, refund_ticket, refundable_minor
from ticketing.services import get_order, get_ticket
from webapp.api.openapi import BEARER_OPTIONAL, IDEMPOTENCY_KEY, ApiBlueprint
from webapp.auth import require_order_access
from webapp.extensions import runtime
from webapp.idempotency import idempotent
from webapp.relay import relay_now
from webapp.schemas.money import money_json
from webapp.schemas.refunds import RefundRequestSchema, RefundSchema

log = logging.getLogger(__name__)
bp = ApiBlueprint("refunds", __name__, description="Refunds of tickets, reversed in clearing")


@bp.post("/tickets/<uuid_text:ticket_id>/refund")
@bp.doc(security=BEARER_OPTIONAL, parameters=[IDEMPOTENCY_KEY])
@idempotent
@bp.arguments(RefundRequestSchema, required=False)
@bp.response(201, RefundSchema)
def refund(body: dict[str, Any], ticket_id: str) -> tuple[dict[str, Any], int]:
    """Body (optional): ``{"amount": "1.50", "reason": "..."}``; without ``amount`` all that is left."""
    rt = runtime()
    with rt.session_factory() as session:
        ticket = get_ticket(session, ticket_id)
        require_order_access(get_order(session, ticket.order_id))
        currency = get_order(session, ticket.order_id).currency
    cmd = RefundTicket(ticket_id, _minor(body["amount"], currency), body["reason"])
    done = refund_ticket(rt.uow(), cmd, utcnow(), None, sandbox_provider())
    relay_now()
    with rt.session_factory() as session:
        ticket = get_ticket(session, ticket_id)
        return refund_json(done, ticket.status, refundable_minor(session, ticket)), 201


def _minor(amount: str | None, currency: str) -> int | None:
    if amount is None:
        return None
    try:
        return Money.parse(amount, currency).minor
    except ValueError as error:
        raise ValidationFailed(f"amount: {error}", details=[{"field": "amount", "message": str(error)}]) from None


def refund_json(refund: Refund, ticket_status: str, refundable: int) -> dict[str, Any]:
    return {
        "id": refund.id,
        "ticket_id": refund.ticket_id,
        "order_id": refund.order_id,
        **money_json(refund.amount_minor, refund.currency),
        **money_json(refund.fee_minor, refund.currency, "fee"),
        "currency": refund.currency,
        "payment_method": refund.payment_method,
        "reason": refund.reason,
        "created_at": refund.created_at.isoformat(),
        "ticket_status": ticket_status,
        **money_json(refundable, refund.currency, "refundable"),
    }
