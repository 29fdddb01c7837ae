from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ticketing.models import Order, Payment, Ticket
from webapp.schemas.fields import Amount, Timestamp
from webapp.schemas.itinerary import LegSchema
from webapp.schemas.money import money_json
from webapp.schemas.response import ResponseSchema


class OrderRequestSchema(Schema):
    legs = fields.List(fields.Nested(LegSchema), required=True, validate=validate.Length(min=1, max=20))
    rider_category = fields.String(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)


class PaymentRequestSchema(Schema):
    method = fields.String(required=True, validate=validate.OneOf(["card", "wallet"]))
    card_token = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    wallet_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36))


class OrderLegSchema(ResponseSchema):
    operator_id = fields.String(required=True, allow_none=True)
    route_id = fields.String(required=True)
    from_stop_id = fields.String(required=True)
    to_stop_id = fields.String(required=True)
    departure = Timestamp(required=True, allow_none=True)
    arrival = Timestamp(required=True, allow_none=True)
    zones = fields.List(fields.String())


class OrderOperatorSchema(ResponseSchema):
    operator_id = fields.String(required=True)
    amount = Amount(required=True)
    amount_minor = fields.Integer(required=True)


class OrderProductSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    amount = Amount(required=True)
    amount_minor = fields.Integer(required=True)
    legs = fields.List(fields.Integer(), required=True)


class OrderSchema(ResponseSchema):
    id = fields.String(required=True)
    status = fields.String(required=True)
    total = Amount(required=True)
    total_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    rider_category = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    expires_at = Timestamp(required=True, metadata={"description": "the price is locked until then"})
    tariff_version_id = fields.Integer(required=True, allow_none=True)
    legs = fields.List(fields.Nested(OrderLegSchema), required=True)
    operators = fields.List(fields.Nested(OrderOperatorSchema), required=True)
    products = fields.List(fields.Nested(OrderProductSchema), required=True)
    rules = fields.List(fields.String(), required=True)


class CreatedOrderSchema(OrderSchema):
    access_token = fields.String(required=True, metadata={
        "description": "lets a guest pay for, read and refund this order's ticket (as Bearer token)"})


class PaymentSchema(ResponseSchema):
    id = fields.String(required=True)
    method = fields.String(required=True)
    status = fields.String(required=True)
    amount = Amount(required=True)
    amount_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    created_at = Timestamp(required=True)


class TicketSchema(ResponseSchema):
    id = fields.String(required=True)
    order_id = fields.String(required=True)
    status = fields.String(required=True)
    rider_category = fields.String(required=True, allow_none=True)
    valid_from = Timestamp(required=True)
    valid_until = Timestamp(required=True)
    total = Amount(required=True)
    currency = fields.String(required=True)
    legs = fields.List(fields.Nested(OrderLegSchema), required=True)
    token = fields.String(required=True, metadata={"description": "the signed ticket (also in its QR code)"})


class PaidOrderSchema(ResponseSchema):
    order_id = fields.String(required=True)
    status = fields.String(required=True)
    payment = fields.Nested(PaymentSchema, required=True)
    ticket = fields.Nested(TicketSchema, required=True)


class VerifyRequestSchema(Schema):
    token = fields.String(load_default=None, allow_none=True)


class VerificationSchema(ResponseSchema):
    valid = fields.Boolean(required=True)
    reason = fields.String(required=True, allow_none=True)
    ticket = fields.Dict(required=True, allow_none=True, metadata={"description": "the token's claims"})


class PublicKeySchema(ResponseSchema):
    key_id = fields.String(required=True)
    algorithm = fields.String(required=True)
    pem = fields.String(required=True)


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
