from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ticketing.models import Order, Payment, Ticket
from webapp.schemas.itinerary import LegSchema
from webapp.schemas.money import money_json


class OrderRequestSchema(Schema):
    legs = fields.List(fields.Nested(LegSchema), required=True, validate=validate.Length(min=1, max=20))
    rider_category = fields.String(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)


class PaymentRequestSchema(Schema):
    method = fields.String(required=True, validate=validate.OneOf(["card", "wallet"]))
    card_token = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    wallet_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36))


def order_json(order: Order) -> dict[str, Any]:
    breakdown = order.breakdown
    return {
        "id": order.id,
        "status": order.status,
        "total": money_json(order.total_minor, order.currency)["amount"],
        "total_minor": order.total_minor,
        "currency": order.currency,
        "rider_category": order.rider_category,
        "email": order.email,
        "created_at": order.created_at.isoformat(),
        "expires_at": order.expires_at.isoformat(),
        "tariff_version_id": order.tariff_version_id,
        "legs": [{k: v for k, v in leg.items() if k != "standalone_minor"} for leg in order.legs],
        "operators": [
            {"operator_id": o["operator_id"], **money_json(o["amount_minor"], order.currency)}
            for o in breakdown["operators"]
        ],
        "products": [
            {"id": p["id"], "name": p["name"], **money_json(p["amount_minor"], order.currency), "legs": p["legs"]}
            for p in breakdown["products"]
        ],
        "rules": breakdown["rules"],
    }


def payment_json(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "method": payment.method,
        "status": payment.status,
        **money_json(payment.amount_minor, payment.currency),
        "currency": payment.currency,
        "created_at": payment.created_at.isoformat(),
    }


def ticket_json(ticket: Ticket, order: Order) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "order_id": ticket.order_id,
        "status": ticket.status,
        "rider_category": ticket.rider_category,
        "valid_from": ticket.valid_from.isoformat(),
        "valid_until": ticket.valid_until.isoformat(),
        "total": money_json(order.total_minor, order.currency)["amount"],
        "currency": order.currency,
        "legs": [{k: v for k, v in leg.items() if k != "standalone_minor"} for leg in order.legs],
        "token": ticket.token,
    }
