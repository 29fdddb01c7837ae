"""McRAPTOR's Pareto set over (arrival, transfers, price) equals that of all journeys, enumerated."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import NoJourneyFound
from fares.fare_search import FareSearch
from fares.price import ItineraryLeg
from journeys.gtfs_timetable import build_from_texts
from journeys.pareto import pareto_front
from journeys.planner import TimetablePlanner
from journeys.timetable import Timetable
from tests.journeys.feeds import DAYS, FIRST_DAY, GenFeed, feeds, walks_of
from tests.journeys.toy_fares import ToyFareSearch

MAX_RIDES = 3


def all_journeys(feed: GenFeed, timetable: Timetable, walks: dict[str, list[tuple[str, int]]], fares: FareSearch[Any],
                 origin: str, target: str, day: date, start: int, latest: int) -> list[tuple[int, int, int | None]]:
    """(arrival, transfers, price) of every journey: any trip at any stop, any walk after a ride."""
    runs = [(trip.route_id, trip.stops, arr, dep) for trip, arr, dep in feed.instances_around(day)]
    found: list[tuple[int, int, int | None]] = []

    def priced(rides: list[tuple[str, str, str, int, int]]) -> int | None:
        legs = [ItineraryLeg(r, a, b, timetable.local(day, d), timetable.local(day, t)) for r, a, b, d, t in rides]
        return fares.price(legs).total.minor  # type: ignore[union-attr]

    def arrive(stop: str, at: int, rides: list[tuple[str, str, str, int, int]]) -> None:
        if stop == target:
            found.append((at, len(rides) - 1, priced(rides)))
        for q, w in walks[stop]:
            if q == target:
                found.append((at + w, len(rides) - 1, priced(rides)))
            board(q, at + w, rides, None)
        change = feed.change_s(stop)
        if change is not None:
            board(stop, at + change, rides, None)

    def board(stop: str, ready: int, rides: list[tuple[str, str, str, int, int]], walked: int | None) -> None:
        if len(rides) == MAX_RIDES:
            return
        for route, stops, arrivals, departures in runs:
            for i, s in enumerate(stops[:-1]):
                if s != stop or departures[i] < ready:
                    continue
                if walked is not None and departures[i] - walked > latest:
                    continue  # the journey would leave after the window
                for j in range(i + 1, len(stops)):
                    arrive(stops[j], arrivals[j],
                           rides + [(route, stop, stops[j], departures[i], arrivals[j])])

    board(origin, start, [], 0)
    for q, w in walks[origin]:
        if q == target:
            found.append((start + w, 0, 0))
        board(q, start + w, [], w)
    return found


def latest_departure(planner: TimetablePlanner, origin: str, target: str, day: date, start: int,
                     window: int) -> int | None:
    """The end of the departure window: ``window`` after the start, at least the fastest journey's departure."""
    timetable = planner.timetable
    try:
        fastest = planner.earliest_arrival(origin, target, timetable.local(day, start))
    except NoJourneyFound:
        return None
    return max(start + window, timetable.seconds_at(day, fastest.departure))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed=feeds(max_stops=5, max_routes=3), data=st.data())
def test_the_pareto_set_equals_the_best_of_all_journeys(feed, data) -> None:  # type: ignore[no-untyped-def]
    timetable, footpaths = build_from_texts(feed.texts(), "generated")
    planner = TimetablePlanner(timetable, footpaths)
    routes = sorted({t.route_id for t in feed.trips})
    fares = ToyFareSearch({r: data.draw(st.sampled_from([200, 250, 400])) for r in routes})
    stop_ids = [s for s, *_ in feed.stops]
    origin, target = data.draw(st.permutations(stop_ids))[:2]
    day = FIRST_DAY + timedelta(days=data.draw(st.integers(1, DAYS - 2)))
    start = data.draw(st.integers(0, 86_399))
    window = data.draw(st.sampled_from([0, 1800, 7200]))
    latest = latest_departure(planner, origin, target, day, start, window)
    expected = pareto_front(all_journeys(feed, timetable, walks_of(timetable.stop_index, footpaths), fares, origin,
                                         target, day, start, latest)) if latest is not None else set()
    try:
        options = planner.plan(origin, target, timetable.local(day, start), fares, timedelta(seconds=window),
                               max_rides=MAX_RIDES, slack=None)
    except NoJourneyFound:
        assert expected == set()
        return
    got = {(timetable.seconds_at(day, o.arrival), o.transfers, o.price.total.minor) for o in options}
    assert got == expected
    for option in options:
        assert option.departure >= timetable.local(day, start)
        assert fares.price(option.rides).total == option.price.total
        state = fares.initial()
        for ride in option.rides:
            state = fares.extend(state, ride)
        assert state.paid_minor == option.price.total.minor
