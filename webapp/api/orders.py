"""Orders and their payment."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Blueprint

from core.db import utcnow
from ticketing.models import Payment
from ticketing.payment_providers import sandbox_provider
from ticketing.services import CreateOrder, PayOrder, create_order, get_order, pay_order
from webapp.auth import current_principal, require_order_access
from webapp.extensions import runtime, signer
from webapp.idempotency import idempotent
from webapp.relay import relay_now
from webapp.requests import json_body
from webapp.schemas.itinerary import ride_legs
from webapp.schemas.orders import OrderRequestSchema, PaymentRequestSchema, order_json, payment_json, ticket_json

log = logging.getLogger(__name__)
bp = Blueprint("orders", __name__)


@bp.post("/orders")
@idempotent
def create() -> tuple[dict[str, Any], int]:
    body = OrderRequestSchema().load(json_body())
    rt = runtime()
    cmd = CreateOrder(ride_legs(body["legs"], rt.settings.timezone), body["rider_category"], body["email"],
                      user_id=current_principal().passenger_id)
    order, access_token = create_order(rt.uow(), cmd, utcnow(), timedelta(seconds=rt.settings.quote_ttl_seconds))
    return {**order_json(order), "access_token": access_token}, 201


@bp.get("/orders/<order_id>")
def show(order_id: str) -> dict[str, Any]:
    with runtime().session_factory() as session:
        order = get_order(session, order_id)
        require_order_access(order)
        return order_json(order)


@bp.post("/orders/<order_id>/payment")
@idempotent
def pay(order_id: str) -> tuple[dict[str, Any], int]:
    body = PaymentRequestSchema().load(json_body())
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
