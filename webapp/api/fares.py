from __future__ import annotations

from typing import Any

from fares.services import price_legs
from webapp.api.openapi import ApiBlueprint
from webapp.extensions import runtime
from webapp.schemas.itinerary import PriceRequestSchema, PriceSchema, price_json, ride_legs

bp = ApiBlueprint("fares", __name__, description="Pricing an explicit itinerary")


@bp.route("/fares/price", methods=["POST"])
@bp.arguments(PriceRequestSchema)
@bp.response(200, PriceSchema)
def price(body: dict[str, Any]) -> dict[str, Any]:
    """Price legs (walking legs without ``route_id`` are left out); ``total`` is null when a leg has no fare."""
    legs = ride_legs(body["legs"], runtime().settings.timezone)
    with runtime().session_factory() as session:
        return price_json(price_legs(session, legs, body["rider_category"], body["fare_media"],
                                      body["tariff_version_id"]))
