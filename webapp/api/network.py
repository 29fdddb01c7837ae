"""Stops, operators and journey planning."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from fares.services import search_stops
from operators.services import list_operators
from webapp.extensions import runtime
from webapp.journeys import plan_json
from webapp.schemas.journeys import JourneyQuerySchema

bp = Blueprint("network", __name__)


@bp.get("/stops")
def stops() -> dict[str, Any]:
    text = request.args.get("q", "").strip()[:100]
    with runtime().session_factory() as session:
        rows = search_stops(session, text)
        return {"stops": [{"id": s.id, "name": s.name, "lat": s.lat, "lon": s.lon, "zone_id": s.zone_id,
                           "town": s.town} for s in rows]}


@bp.get("/operators")
def operators() -> dict[str, Any]:
    with runtime().session_factory() as session:
        return {"operators": [{"id": o.id, "name": o.name, "mode": o.mode} for o in list_operators(session)]}


@bp.get("/journeys")
def journeys() -> dict[str, Any]:
    query = JourneyQuerySchema().load(request.args)
    return plan_json(runtime(), query["from_"], query["to"], query["at"], query["rider"])
