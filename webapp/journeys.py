"""Planning as the API and the CLI present it."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.runtime import Runtime
from journeys.services import plan_and_price
from webapp.schemas.itinerary import localize
from webapp.schemas.journeys import journey_json


def plan_json(rt: Runtime, from_stop: str, to_stop: str, at: datetime | None, rider: str | None) -> dict[str, Any]:
    tz = rt.settings.timezone
    when = localize(at, tz) or datetime.now(ZoneInfo(tz)).replace(microsecond=0)
    with rt.session_factory() as session:
        plan = plan_and_price(session, from_stop, to_stop, when, rider)
    return {"from": from_stop, "to": to_stop, "at": when.isoformat(), "timetable": plan.timetable,
            "exact": plan.exact, "options": [journey_json(journey, plan.stop_names) for journey in plan.options]}
