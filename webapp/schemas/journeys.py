from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from fares.network import Network
from fares.price import Price
from fares.routing import Journey
from webapp.schemas.fields import BoundedDateTime, Timestamp
from webapp.schemas.itinerary import PriceSchema, price_json
from webapp.schemas.response import ResponseSchema


class JourneyQuerySchema(Schema):
    from_ = fields.String(data_key="from", required=True, validate=validate.Length(min=1, max=64))
    to = fields.String(required=True, validate=validate.Length(min=1, max=64))
    at = BoundedDateTime(load_default=None, allow_none=True)
    rider = fields.String(load_default=None, allow_none=True)


class JourneyLegSchema(ResponseSchema):
    mode = fields.String(required=True)
    operator_id = fields.String(required=True, allow_none=True)
    route_id = fields.String(required=True, allow_none=True, metadata={"description": "null for a walk"})
    route_name = fields.String(required=True, allow_none=True)
    from_stop_id = fields.String(required=True)
    from_stop_name = fields.String(required=True)
    to_stop_id = fields.String(required=True)
    to_stop_name = fields.String(required=True)
    departure = Timestamp(required=True)
    arrival = Timestamp(required=True)


class JourneyOptionSchema(ResponseSchema):
    criteria = fields.List(fields.String(), required=True,
                           metadata={"description": "why it is offered: fastest, fewest_transfers, cheapest"})
    departure = Timestamp(required=True)
    arrival = Timestamp(required=True)
    duration_minutes = fields.Integer(required=True)
    transfers = fields.Integer(required=True)
    legs = fields.List(fields.Nested(JourneyLegSchema), required=True)
    price = fields.Nested(PriceSchema, required=True)


class JourneyPlanSchema(ResponseSchema):
    from_ = fields.String(data_key="from", attribute="from", required=True)
    to = fields.String(required=True)
    at = Timestamp(required=True)
    options = fields.List(fields.Nested(JourneyOptionSchema), required=True)


def journey_json(journey: Journey, price: Price, network: Network) -> dict[str, Any]:
    def name(stop_id: str) -> str:
        return network.stops[stop_id].name

    return {
        "criteria": list(journey.criteria),
        "departure": journey.departure.isoformat(),
        "arrival": journey.arrival.isoformat(),
        "duration_minutes": round((journey.arrival - journey.departure).total_seconds() / 60),
        "transfers": journey.transfers,
        "legs": [
            {
                "mode": leg.mode,
                "operator_id": leg.operator_id,
                "route_id": leg.route_id,
                "route_name": leg.route_name,
                "from_stop_id": leg.from_stop_id,
                "from_stop_name": name(leg.from_stop_id),
                "to_stop_id": leg.to_stop_id,
                "to_stop_name": name(leg.to_stop_id),
                "departure": leg.departure.isoformat(),
                "arrival": leg.arrival.isoformat(),
            }
            for leg in journey.legs
        ],
        "price": price_json(price),
    }
