from __future__ import annotations

from typing import Any

from flask import Blueprint

from fares.services import price_legs
from webapp.extensions import runtime
from webapp.requests import json_body
from webapp.schemas.itinerary import PriceRequestSchema, price_json, ride_legs

bp = Blueprint("fares", __name__)


@bp.post("/fares/price")
def price() -> dict[str, Any]:
    body = PriceRequestSchema().load(json_body())
    legs = ride_legs(body["legs"], runtime().settings.timezone)
    with runtime().session_factory() as session:
        return price_json(price_legs(session, legs, body["rider_category"], body["fare_media"],
                                      body["tariff_version_id"]))
