from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from journeys.journey import Journey
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
    trip_id = fields.String(required=True, allow_none=True,
                            metadata={"description": "the GTFS trip ridden; null for a walk"})
    headsign = fields.String(required=True, allow_none=True, metadata={"description": "where the vehicle goes"})
    distance_m = fields.Integer(required=True, allow_none=True,
                                metadata={"description": "a walk's length in metres; null for a ride"})
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
    timetable = fields.Boolean(required=True, metadata={
        "description": "planned on the exact timetable (false: the network has none, planned on average headways)"})
    exact = fields.Boolean(required=True, metadata={
        "description": "the options are the Pareto set over arrival, transfers and price; false when that search "
                       "was too large for a request and the fastest options of several departures were priced"})
    options = fields.List(fields.Nested(JourneyOptionSchema), required=True)


def journey_json(journey: Journey, stop_names: Mapping[str, str]) -> dict[str, Any]:
    def name(stop_id: str) -> str:
        return stop_names.get(stop_id, stop_id)

    assert journey.price is not None, "options are priced before they are shown"

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
                "trip_id": leg.trip_id,
                "headsign": leg.headsign,
                "distance_m": round(leg.walk_m) if leg.walk_m is not None else None,
                "from_stop_id": leg.from_stop_id,
                "from_stop_name": name(leg.from_stop_id),
                "to_stop_id": leg.to_stop_id,
                "to_stop_name": name(leg.to_stop_id),
                "departure": leg.departure.isoformat(),
                "arrival": leg.arrival.isoformat(),
            }
            for leg in journey.legs
        ],
        "price": price_json(journey.price),
    }
