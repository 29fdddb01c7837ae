"""Reading an itinerary file (the ``farebridge fares price --itinerary`` input).

``{"legs": [{"route_id", "from_stop_id", "to_stop_id", "departure", "arrival"}]}``;
times without an offset are local times of the feed's timezone.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.errors import ValidationFailed
from fares.price import ItineraryLeg

REQUIRED = ("route_id", "from_stop_id", "to_stop_id")


def _time(value: Any, where: str, problems: list[dict[str, Any]], file: str, tz: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        problems.append({"file": file, "line": None, "field": where, "message": f"not an ISO date-time: {value!r}"})
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


def parse_itinerary(text: str, file: str, timezone: str) -> tuple[ItineraryLeg, ...]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"{file} is not valid JSON", details=[
            {"file": file, "line": exc.lineno, "field": None, "message": exc.msg}]) from None
    legs = data.get("legs") if isinstance(data, dict) else None
    if not isinstance(legs, list) or not legs:
        raise ValidationFailed(f"{file}: an itinerary is {{\"legs\": [...]}} with at least one leg", details=[
            {"file": file, "line": 1, "field": "legs", "message": "missing or empty"}])
    problems: list[dict[str, Any]] = []
    out = []
    for index, leg in enumerate(legs):
        if not isinstance(leg, dict):
            problems.append({"file": file, "line": None, "field": f"legs[{index}]", "message": "not an object"})
            continue
        for name in REQUIRED:
            if not isinstance(leg.get(name), str) or not leg.get(name):
                problems.append({"file": file, "line": None, "field": f"legs[{index}].{name}",
                                 "message": "required"})
        departure = _time(leg.get("departure"), f"legs[{index}].departure", problems, file, timezone)
        arrival = _time(leg.get("arrival"), f"legs[{index}].arrival", problems, file, timezone)
        if departure and arrival and arrival < departure:
            problems.append({"file": file, "line": None, "field": f"legs[{index}].arrival",
                             "message": "arrival is before departure"})
        out.append(ItineraryLeg(str(leg.get("route_id")), str(leg.get("from_stop_id")), str(leg.get("to_stop_id")),
                                departure, arrival))
    if problems:
        raise ValidationFailed(f"{file}: {len(problems)} problem(s) in the itinerary", details=problems)
    return tuple(out)


def read_itinerary(path: Path, timezone: str) -> tuple[ItineraryLeg, ...]:
    return parse_itinerary(path.read_text(encoding="utf-8"), path.name, timezone)
