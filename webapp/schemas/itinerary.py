"""Itinerary legs as clients send them (from a journey option) and prices as we return them."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE, Schema, fields, validate

from fares.price import ItineraryLeg, Price
from webapp.schemas.fields import MAX_ID, Amount, BoundedDateTime
from webapp.schemas.money import money_json
from webapp.schemas.response import ResponseSchema


class LegSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # journey options carry names, modes ... that pricing does not need

    route_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    from_stop_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    to_stop_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    departure = BoundedDateTime(load_default=None, allow_none=True)
    arrival = BoundedDateTime(load_default=None, allow_none=True)


class PriceRequestSchema(Schema):
    legs = fields.List(fields.Nested(LegSchema), required=True, validate=validate.Length(min=1, max=20))
    rider_category = fields.String(load_default=None, allow_none=True)
    fare_media = fields.String(load_default=None, allow_none=True)
    tariff_version_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                       validate=validate.Range(min=1, max=MAX_ID))


class PriceOperatorSchema(ResponseSchema):
    operator_id = fields.String(required=True)
    amount = Amount(required=True)
    amount_minor = fields.Integer(required=True)
    standalone = Amount(required=True)
    standalone_minor = fields.Integer(required=True)


class PriceProductSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    amount = Amount(required=True)
    amount_minor = fields.Integer(required=True)
    legs = fields.List(fields.Integer(), required=True, metadata={"description": "indexes of the legs it covers"})
    rider_category = fields.String(required=True, allow_none=True)
    fare_media = fields.String(required=True, allow_none=True)
    rules = fields.List(fields.String(), required=True)


class PricedLegSchema(ResponseSchema):
    index = fields.Integer(required=True)
    operator_id = fields.String(required=True, allow_none=True)
    route_id = fields.String(required=True)
    from_stop_id = fields.String(required=True)
    to_stop_id = fields.String(required=True)
    zones = fields.List(fields.String(), required=True)
    standalone = Amount(required=True, allow_none=True)
    standalone_minor = fields.Integer(required=True, allow_none=True)
    rules = fields.List(fields.String(), required=True)


class PriceSchema(ResponseSchema):
    """A price with its breakdown; ``total`` is null when a leg cannot be priced (see ``unpriced_legs``)."""

    currency = fields.String(required=True)
    total = Amount(required=True, allow_none=True)
    total_minor = fields.Integer(required=True, allow_none=True)
    rider_category = fields.String(required=True, allow_none=True)
    tariff_version_id = fields.Integer(required=True, allow_none=True)
    operators = fields.List(fields.Nested(PriceOperatorSchema), required=True)
    products = fields.List(fields.Nested(PriceProductSchema), required=True)
    legs = fields.List(fields.Nested(PricedLegSchema), required=True)
    rules = fields.List(fields.String(), required=True)
    unpriced_legs = fields.List(fields.Integer(), required=True)


def localize(moment: datetime | None, tz: str) -> datetime | None:
    """Naive times are local times of the network's timezone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=ZoneInfo(tz))


def ride_legs(legs: list[dict[str, Any]], tz: str) -> tuple[ItineraryLeg, ...]:
    """Walking legs (no ``route_id``) carry no fare and are left out."""
    return tuple(
        ItineraryLeg(leg["route_id"], leg["from_stop_id"], leg["to_stop_id"],
                     localize(leg["departure"], tz), localize(leg["arrival"], tz))
        for leg in legs
        if leg.get("route_id")
    )


def price_json(price: Price) -> dict[str, Any]:
    """The API's price; ``total`` is null when a leg cannot be priced."""
    currency = price.currency
    return {
        "currency": currency,
        "total": price.total.format() if price.total else None,
        "total_minor": price.total.minor if price.total else None,
        "rider_category": price.rider_category,
        "tariff_version_id": price.tariff_version_id,
        "operators": [
            {"operator_id": o.operator_id, **money_json(o.amount.minor, currency),
             **money_json(o.standalone.minor, currency, "standalone")}
            for o in price.operators
        ],
        "products": [
            {"id": p.id, "name": p.name, **money_json(p.amount.minor, currency), "legs": list(p.leg_indexes),
             "rider_category": p.rider_category, "fare_media": p.fare_media, "rules": list(p.rules)}
            for p in price.products
        ],
        "legs": [
            {"index": leg.index, "operator_id": leg.operator_id, "route_id": leg.route_id,
             "from_stop_id": leg.from_stop_id, "to_stop_id": leg.to_stop_id, "zones": list(leg.zones),
             **(money_json(leg.standalone.minor, currency, "standalone") if leg.standalone
                else {"standalone": None, "standalone_minor": None}),
             "rules": list(leg.rules)}
            for leg in price.legs
        ],
        "rules": list(price.rules),
        "unpriced_legs": list(price.unpriced_legs),
    }
