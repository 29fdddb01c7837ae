"""McRAPTOR with the prefix fare search over a real engine (GTFS Fares v1): the search's price is the engine's."""
from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import NoJourneyFound
from fares.fare_search import PrefixFareSearch
from fares.gtfs.tariff import engine_from_texts
from journeys.gtfs_timetable import build_from_texts
from journeys.pareto import pareto_front
from journeys.planner import TimetablePlanner
from tests.journeys.feeds import DAYS, FIRST_DAY, feeds, walks_of
from tests.journeys.test_mcraptor_exhaustive import MAX_RIDES, all_journeys, latest_departure

ATTRIBUTES = ("fare_id,price,currency_type,payment_method,transfers,agency_id,transfer_duration\n"
              "city,2.00,EUR,0,1,A,1800\nexpress,3.50,EUR,0,0,A,\n")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed=feeds(max_stops=5, max_routes=3), data=st.data())
def test_prices_of_the_pareto_set_come_from_the_engine_and_match_all_journeys(feed, data) -> None:  # type: ignore[no-untyped-def]
    texts = feed.texts()
    routes = sorted({t.route_id for t in feed.trips})
    texts["fare_attributes.txt"] = ATTRIBUTES
    texts["fare_rules.txt"] = "fare_id,route_id\n" + "".join(
        f"{data.draw(st.sampled_from(['city', 'express']))},{r}\n" for r in routes)
    timetable, footpaths = build_from_texts(texts, "generated")
    fare_search = PrefixFareSearch(engine_from_texts("generated", texts, None))
    planner = TimetablePlanner(timetable, footpaths)
    origin, target = data.draw(st.permutations([s for s, *_ in feed.stops]))[:2]
    day = FIRST_DAY + timedelta(days=data.draw(st.integers(1, DAYS - 2)))
    start = data.draw(st.integers(0, 86_399))
    latest = latest_departure(planner, origin, target, day, start, 1800)
    expected = pareto_front(all_journeys(feed, timetable, walks_of(timetable.stop_index, footpaths), fare_search,
                                         origin, target, day, start, latest)) if latest is not None else set()
    try:
        options = planner.plan(origin, target, timetable.local(day, start), fare_search, timedelta(minutes=30),
                               max_rides=MAX_RIDES, slack=None)
    except NoJourneyFound:
        assert expected == set()
        return
    assert {(timetable.seconds_at(day, o.arrival), o.transfers, o.price.total.minor) for o in options} == expected
    for option in options:
        state = fare_search.initial()
        for ride in option.rides:
            state = fare_search.extend(state, ride)
        assert state.paid_minor == option.price.total.minor
