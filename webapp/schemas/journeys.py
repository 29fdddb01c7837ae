from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from fares.network import Network
from fares.price import Price
from fares.routing import Journey
from webapp.schemas.itinerary import price_json


class JourneyQuerySchema(Schema):
    from_ = fields.String(data_key="from", required=True, validate=validate.Length(min=1, max=64))
    to = fields.String(required=True, validate=validate.Length(min=1, max=64))
    at = fields.DateTime(load_default=None, allow_none=True)
    rider = fields.String(load_default=None, allow_none=True)


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
