"""RAPTOR's earliest arrival equals an exact search on a time-expanded graph (tests/journeys/feeds.py)."""
from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import NoJourneyFound
from journeys.gtfs_timetable import build_from_texts
from journeys.planner import TimetablePlanner
from tests.journeys.feeds import DAYS, FIRST_DAY, connection_scan, feeds, reference_arrival, walks_of


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed=feeds(), data=st.data())
def test_earliest_arrival_equals_dijkstra_on_the_time_expanded_graph(feed, data) -> None:  # type: ignore[no-untyped-def]
    timetable, footpaths = build_from_texts(feed.texts(), "generated")
    planner = TimetablePlanner(timetable, footpaths)
    stop_ids = [s for s, *_ in feed.stops]
    origin, target = data.draw(st.permutations(stop_ids))[:2]
    day = FIRST_DAY + timedelta(days=data.draw(st.integers(1, DAYS - 2)))
    start = data.draw(st.integers(0, 86_399))
    at = timetable.local(day, start)
    expected = reference_arrival(feed, timetable.stop_index, footpaths, origin, target, day, start)
    instances = [(trip.stops, arrivals, departures) for trip, arrivals, departures in feed.instances_around(day)]
    changes = {stop: feed.change_s(stop) for stop in stop_ids}
    assert connection_scan(instances, changes, walks_of(timetable.stop_index, footpaths), origin, target,
                           start) == expected  # the cheaper reference used on the real feeds agrees
    try:
        journey = planner.earliest_arrival(origin, target, at)
    except NoJourneyFound:
        assert expected is None
        return
    assert expected is not None
    assert journey.arrival == timetable.local(day, expected)
    assert journey.departure >= at
    assert journey.legs[0].from_stop_id == origin and journey.legs[-1].to_stop_id == target
    for before, after in zip(journey.legs, journey.legs[1:], strict=False):
        assert before.to_stop_id == after.from_stop_id
        assert before.arrival <= after.departure
