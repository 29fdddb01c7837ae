"""Planning as the application asks for it, on the demo: the exact Pareto set, and the fallback of a large search."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from core.runtime import Runtime
from fares.cache import pricing_context
from journeys import services
from journeys.services import plan_and_price
from webapp.demo.timetable import next_working_day

ORIGIN, DESTINATION = "ALT_EICH_WALDWEG", "BGS_SONN_BUCHENWEG"


def eight_am() -> datetime:
    return datetime.combine(next_working_day(date.today()), time(8, 0), ZoneInfo("Europe/Berlin"))


def test_the_demo_is_planned_on_its_timetable_with_the_exact_pareto_set(demo: Runtime) -> None:
    with demo.session_factory() as session:
        plan = plan_and_price(session, ORIGIN, DESTINATION, eight_am(), "adult")
        engine = pricing_context(session).engine
    assert plan.timetable and plan.exact
    assert plan.options and all(o.departure >= eight_am() for o in plan.options)
    for option in plan.options:
        assert all(leg.trip_id for leg in option.legs if leg.is_ride)
        assert option.price is not None
        assert option.price.total == engine.price(option.rides, "adult").total  # the engine's price, not the search's
    assert {"fastest", "fewest_transfers", "cheapest"} <= {c for o in plan.options for c in o.criteria}


def test_a_search_too_large_for_a_request_answers_with_priced_raptor_options(demo: Runtime,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "PLAN_MAX_LABELS", 1)
    with demo.session_factory() as session:
        plan = plan_and_price(session, ORIGIN, DESTINATION, eight_am(), "adult")
        engine = pricing_context(session).engine
    assert plan.timetable and not plan.exact
    assert plan.options
    for option in plan.options:
        assert option.price is not None and option.price.total == engine.price(option.rides, "adult").total
    assert "fastest" in {c for o in plan.options for c in o.criteria}
