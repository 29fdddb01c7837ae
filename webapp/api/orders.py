"""Orders and their payment."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from core.db import utcnow
from ticketing.models import Payment
from ticketing.payment_providers import sandbox_provider
from ticketing.services import CreateOrder, PayOrder, create_order, get_order, pay_order
from webapp.api.openapi import BEARER_OPTIONAL, IDEMPOTENCY_KEY, ApiBlueprint
from webapp.auth import current_principal, require_order_access
from webapp.extensions import runtime, signer
from webapp.idempotency import idempotent
from webapp.relay import relay_now
from webapp.schemas.itinerary import ride_legs
from webapp.schemas.orders import (
    CreatedOrderSchema,
    OrderRequestSchema,
    OrderSchema,
    PaidOrderSchema,
    PaymentRequestSchema,
    order_json,
    payment_json,
    ticket_json,
)

log = logging.getLogger(__name__)
bp = ApiBlueprint("orders", __name__, description="Orders (a locked price) and their payment")


@bp.post("/orders")
@bp.doc(security=BEARER_OPTIONAL, parameters=[IDEMPOTENCY_KEY])
@idempotent
@bp.arguments(OrderRequestSchema)
@bp.response(201, CreatedOrderSchema)
def create(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Prices the legs on the server and locks that price until ``expires_at`` (guests need no token)."""
    rt = runtime()
    cmd = CreateOrder(ride_legs(body["legs"], rt.settings.timezone), body["rider_category"], body["email"],
                      user_id=current_principal().passenger_id)
    order, access_token = create_order(rt.uow(), cmd, utcnow(), timedelta(seconds=rt.settings.quote_ttl_seconds))
    return {**order_json(order), "access_token": access_token}, 201


@bp.get("/orders/<order_id>")
@bp.doc(security=BEARER_OPTIONAL)
@bp.response(200, OrderSchema)
def show(order_id: str) -> dict[str, Any]:
    with runtime().session_factory() as session:
        order = get_order(session, order_id)
        require_order_access(order)
        return order_json(order)


@bp.post("/orders/<order_id>/payment")
@bp.doc(security=BEARER_OPTIONAL, parameters=[IDEMPOTENCY_KEY])
@idempotent
@bp.arguments(PaymentRequestSchema)
@bp.response(200, PaidOrderSchema)
def pay(body: dict[str, Any], order_id: str) -> tuple[dict[str, Any], int]:
    """Card (sandbox tokens ``tok_ok``, ``tok_declined``: 402...) or the passenger's wallet; answers the ticket."""
    rt = runtime()
    with rt.session_factory() as session:
        require_order_access(get_order(session, order_id))
    cmd = PayOrder(order_id, body["method"], body["card_token"], body["wallet_id"], current_principal().passenger_id)
    ticket = pay_order(rt.uow(), cmd, utcnow(), sandbox_provider(), signer())
    relay_now()
    with rt.session_factory() as session:
        order = get_order(session, order_id)
        payment = session.get(Payment, ticket.payment_id)
        assert payment is not None
        return {"order_id": order.id, "status": order.status, "payment": payment_json(payment),
                "ticket": ticket_json(ticket, order)}, 200
