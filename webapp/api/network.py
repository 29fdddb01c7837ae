"""Stops, operators and journey planning."""
from __future__ import annotations

from typing import Any

from fares.services import search_stops
from operators.services import list_operators
from webapp.api.openapi import ApiBlueprint
from webapp.extensions import runtime
from webapp.journeys import plan_json
from webapp.schemas.journeys import JourneyPlanSchema, JourneyQuerySchema
from webapp.schemas.network import OperatorsSchema, StopQuerySchema, StopsSchema

bp = ApiBlueprint("network", __name__, description="Stops, operators and journey planning")


@bp.route("/stops", methods=["GET"])
@bp.arguments(StopQuerySchema, location="query")
@bp.response(200, StopsSchema)
def stops(query: dict[str, Any]) -> dict[str, Any]:
    """Stop search by name."""
    text = query["q"].strip()[:100]
    with runtime().session_factory() as session:
        rows = search_stops(session, text)
        return {"stops": [{"id": s.id, "name": s.name, "lat": s.lat, "lon": s.lon, "zone_id": s.zone_id,
                           "town": s.town} for s in rows]}


@bp.route("/operators", methods=["GET"])
@bp.response(200, OperatorsSchema)
def operators() -> dict[str, Any]:
    with runtime().session_factory() as session:
        return {"operators": [{"id": o.id, "name": o.name, "mode": o.mode} for o in list_operators(session)]}


@bp.route("/journeys", methods=["GET"])
@bp.arguments(JourneyQuerySchema, location="query")
@bp.response(200, JourneyPlanSchema)
def journeys(query: dict[str, Any]) -> dict[str, Any]:
    """Fastest, fewest-transfers and cheapest options, each priced with a split per operator."""
    return plan_json(runtime(), query["from_"], query["to"], query["at"], query["rider"])
