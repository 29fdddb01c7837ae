"""Requests and JSON shapes of passes, covered trips and subscriptions."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate

from core.errors import ValidationFailed
from ticketing.pass_models import PassHolding, PassTrip, Subscription
from ticketing.pass_products import PassCatalog, PassProduct
from webapp.schemas.fields import Amount, BoundedDate, Timestamp
from webapp.schemas.itinerary import LegSchema
from webapp.schemas.money import money_json
from webapp.schemas.orders import OrderLegSchema, PaymentSchema
from webapp.schemas.response import ResponseSchema


class PassPaymentSchema(Schema):
    method = fields.String(required=True, validate=validate.OneOf(["card", "wallet"]))
    card_token = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class PassPurchaseSchema(Schema):
    pass_product_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    rider_category = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    start_date = BoundedDate(load_default=None, allow_none=True)  # None: today
    payment = fields.Nested(PassPaymentSchema, required=True)
    email = fields.Email(load_default=None, allow_none=True)


class SubscriptionRequestSchema(Schema):
    pass_product_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    rider_category = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    start_date = BoundedDate(load_default=None, allow_none=True)
    payment = fields.Nested(PassPaymentSchema, required=True)


class TripRequestSchema(Schema):
    legs = fields.List(fields.Nested(LegSchema), required=True, validate=validate.Length(min=1, max=20))


class ScopeSchema(ResponseSchema):
    """What a pass covers; null: any."""

    operators = fields.List(fields.String(), required=True, allow_none=True)
    routes = fields.List(fields.String(), required=True, allow_none=True)
    modes = fields.List(fields.String(), required=True, allow_none=True)
    zones = fields.List(fields.String(), required=True, allow_none=True)


class CategoryPriceSchema(ResponseSchema):
    rider_category = fields.String(required=True)
    amount = Amount(required=True)
    amount_minor = fields.Integer(required=True)


class PassProductSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    period = fields.String(required=True, metadata={"description": "day, week or month"})
    calendar = fields.Boolean(required=True)
    subscription = fields.Boolean(required=True)
    amount = Amount(required=True)
    amount_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    scope = fields.Nested(ScopeSchema, required=True)
    rider_categories = fields.List(fields.String(), required=True, allow_none=True)
    prices = fields.List(fields.Nested(CategoryPriceSchema), required=True)


class PassProductsSchema(ResponseSchema):
    tariff_version_id = fields.Integer(required=True, allow_none=True)
    currency = fields.String(required=True, allow_none=True)
    products = fields.List(fields.Nested(PassProductSchema), required=True)


class PassSchema(ResponseSchema):
    id = fields.String(required=True)
    order_id = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    pass_product_id = fields.String(required=True)
    name = fields.String(required=True)
    rider_category = fields.String(required=True, allow_none=True)
    scope = fields.Nested(ScopeSchema, required=True)
    valid_from = Timestamp(required=True)
    valid_until = Timestamp(required=True)
    amount = Amount(required=True)
    amount_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    tariff_version_id = fields.Integer(required=True, allow_none=True)
    subscription_id = fields.String(required=True, allow_none=True)
    created_at = Timestamp(required=True)


class BoughtPassSchema(PassSchema):
    payment = fields.Nested(PaymentSchema, required=True)
    access_token = fields.String(metadata={"description": "only for a guest (no user token): the pass's Bearer"})


class PassTripSchema(ResponseSchema):
    id = fields.String(required=True)
    pass_id = fields.String(required=True)
    rider_category = fields.String(required=True, allow_none=True)
    valid_from = Timestamp(required=True)
    valid_until = Timestamp(required=True)
    total = Amount(required=True)
    total_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    legs = fields.List(fields.Nested(OrderLegSchema), required=True)
    token = fields.String(required=True)


class PassTripResultSchema(ResponseSchema):
    ticket = fields.Nested(PassTripSchema, required=True)


class SubscriptionSchema(ResponseSchema):
    id = fields.String(required=True)
    status = fields.String(required=True)
    pass_product_id = fields.String(required=True)
    rider_category = fields.String(required=True, allow_none=True)
    current_period_start = Timestamp(required=True, allow_none=True)
    current_period_end = Timestamp(required=True, allow_none=True)
    renews_at = Timestamp(required=True, allow_none=True)
    cancelled_at = Timestamp(required=True, allow_none=True)
    credit = Amount(required=True, allow_none=True)
    credit_minor = fields.Integer(required=True, allow_none=True)
    currency = fields.String(required=True)
    last_failure = fields.String(required=True, allow_none=True)
    current_pass = fields.Nested(PassSchema, required=True, allow_none=True)


def product_json(catalog: PassCatalog, product: PassProduct) -> dict[str, Any]:
    rule = product.rule
    prices = []
    assert catalog.tariff is not None
    for category in catalog.tariff.rider_categories:
        try:
            category_id, amount = catalog.price(product, category.id)
        except ValidationFailed:  # the pass is not for this category
            continue
        prices.append({"rider_category": category_id, **money_json(amount.minor, amount.currency)})
    return {
        "id": rule.id,
        "name": rule.name,
        "period": rule.period,
        "calendar": rule.calendar,
        "subscription": product.subscription,
        **money_json(rule.amount.minor, rule.amount.currency),
        "currency": rule.amount.currency,
        "scope": product.scope().to_json(),
        "rider_categories": sorted(rule.rider_categories) if rule.rider_categories is not None else None,
        "prices": prices,
    }


def pass_json(holding: PassHolding) -> dict[str, Any]:
    return {
        "id": holding.id,
        "order_id": holding.order_id,
        "status": holding.status,
        "pass_product_id": holding.pass_product_id,
        "name": holding.name,
        "rider_category": holding.rider_category,
        "scope": holding.scope,
        "valid_from": holding.local(holding.valid_from).isoformat(),
        "valid_until": holding.local(holding.valid_until).isoformat(),
        **money_json(holding.amount_minor, holding.currency),
        "currency": holding.currency,
        "tariff_version_id": holding.tariff_version_id,
        "subscription_id": holding.subscription_id,
        "created_at": holding.created_at.isoformat(),
    }


def trip_json(trip: PassTrip, holding: PassHolding) -> dict[str, Any]:
    currency = holding.currency
    return {
        "id": trip.id,
        "pass_id": trip.pass_id,
        "rider_category": trip.rider_category,
        "valid_from": holding.local(trip.valid_from).isoformat(),
        "valid_until": holding.local(trip.valid_until).isoformat(),
        **money_json(0, currency, "total"),
        "currency": currency,
        "legs": trip.legs,
        "token": trip.token,
    }


def subscription_json(subscription: Subscription, current: PassHolding | None) -> dict[str, Any]:
    credit = subscription.credit_minor
    tz = ZoneInfo(subscription.timezone)

    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(tz).isoformat() if moment is not None else None

    return {
        "id": subscription.id,
        "status": subscription.status,
        "pass_product_id": subscription.pass_product_id,
        "rider_category": subscription.rider_category,
        "current_period_start": local(subscription.current_period_start),
        "current_period_end": local(subscription.current_period_end),
        "renews_at": local(subscription.renews_at),
        "cancelled_at": local(subscription.cancelled_at),
        **(money_json(credit, subscription.currency, "credit") if credit is not None
           else {"credit": None, "credit_minor": None}),
        "currency": subscription.currency,
        "last_failure": subscription.last_failure,
        "current_pass": pass_json(current) if current is not None else None,
    }
