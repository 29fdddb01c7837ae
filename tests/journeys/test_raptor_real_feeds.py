"""RAPTOR on the real Porto Alegre feeds (EPTC buses and TRENSURB trains) against a connection scan."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from core.errors import NoJourneyFound
from fares.gtfs.reader import read_feed
from journeys.gtfs_timetable import TIMETABLE_FILES, build
from journeys.planner import TimetablePlanner
from journeys.timetable import DAY_OFFSETS, Timetable
from tests.journeys.feeds import connection_scan, walks_of

MONDAY = date(2019, 5, 6)


@pytest.fixture(scope="module")
def porto_alegre(shared_gtfs):  # type: ignore[no-untyped-def]
    feeds = [read_feed(shared_gtfs / name, only=TIMETABLE_FILES) for name in ("poa_eptc.zip", "poa_trensurb.zip")]
    return build(feeds)


def _runs(timetable: Timetable, day: date) -> list[tuple[list[str], list[int], list[int]]]:
    """Every run of the days around ``day`` in seconds of ``day``, straight from the arrays."""
    out = []
    for offset in DAY_OFFSETS:
        other = day + timedelta(days=offset)
        shift = int((timetable.service_base(other) - timetable.service_base(day)).total_seconds())
        running = timetable.services.on(other)
        for r in range(timetable.route_count):
            stops = [timetable.stops[s].stop_id
                     for s in timetable.route_stops[timetable.route_stop_ptr[r]:timetable.route_stop_ptr[r + 1]]]
            n = len(stops)
            for k, trip in enumerate(range(timetable.route_trip_ptr[r], timetable.route_trip_ptr[r + 1])):
                if running[timetable.trip_service[trip]]:
                    row = int(timetable.route_time_ptr[r]) + k * n
                    out.append((stops, [int(a) + shift for a in timetable.arrivals[row:row + n]],
                                [int(d) + shift for d in timetable.departures[row:row + n]]))
    return out


def test_earliest_arrival_on_porto_alegre_equals_a_connection_scan(porto_alegre) -> None:  # type: ignore[no-untyped-def]
    timetable, footpaths = porto_alegre
    planner = TimetablePlanner(timetable, footpaths)
    runs = _runs(timetable, MONDAY)
    served = sorted({stop for stops, _, _ in runs for stop in stops})
    changes = {s.stop_id: (int(c) if c >= 0 else None) for s, c in zip(timetable.stops, footpaths.change_s,
                                                                        strict=True)}
    walks = walks_of(timetable.stop_index, footpaths)
    rng = random.Random(12)
    found = 0
    for _ in range(30):
        origin, target = rng.sample(served, 2)
        start = rng.randrange(11 * 3600 + 1800, 15 * 3600 + 1800)
        expected = connection_scan(runs, changes, walks, origin, target, start)
        try:
            journey = planner.earliest_arrival(origin, target, timetable.local(MONDAY, start))
        except NoJourneyFound:
            assert expected is None, (origin, target, start)
            continue
        found += 1
        assert journey.arrival == timetable.local(MONDAY, expected), (origin, target, start)
        assert journey.departure >= timetable.local(MONDAY, start)
    assert found >= 20  # the pairs are served: most have a journey
