"""McRAPTOR: the rounds of RAPTOR with bags of labels, the fare state among the criteria.

Each round scans the routes at stops that got new labels in the previous
round. A label boarding a route becomes a *route label* (trip, where it
boarded, the fare state before the ride); at every later stop of the route
each route label gives a new label whose fare state is
``fare_search.extend(state, ride)``, kept if no label of the stop's bag
dominates it (``journeys.pareto``). Walks then leave from the new vehicle
arrivals (footpaths are closed: one walk at most between two rides).

Boarding: after a ride, a label takes the earliest trip it can catch of each
service-day slice (waiting for a later run of the same route only to enter a
cheaper fare period is not searched). At the start, every trip leaving within
the departure window is boarded: fare windows that open with the first
boarding (a transfer allowed within N minutes) make a later start a
different fare, and the range "leave after T" is the booking page's question.

Search bounds (exact for what they include): at most ``max_rides`` vehicles,
first boarding no later than ``latest`` (the window), and with ``limit`` no
journey arriving after it: a label at p arriving at t is dropped when t plus
``bounds[p]`` (a lower bound of the time from p to the target,
``journeys.bounds``) passes ``limit``.

Target pruning by price needs to know that prices never fall as rides are
added (true of most tariffs, not promised by ``FareSearch``): a fare search
that declares ``prices_never_fall = True`` lets the search drop a label when
a journey already at the target arrives no later than the label possibly
could, with no more rides and no higher price.
"""
from __future__ import annotations

import weakref
from datetime import date, datetime, timedelta
from typing import Any

from core.errors import FarebridgeError
from fares.fare_search import FareSearch
from fares.price import ItineraryLeg
from journeys.footpaths import Footpaths
from journeys.journey import Ride, Step, Walk
from journeys.pareto import Label, insert
from journeys.timetable import DAY_OFFSETS, Timetable

MAX_RIDES = 5


class SearchTooLarge(FarebridgeError):
    """The search made more labels than allowed (``max_labels``): the answer would come too late."""

    code = "search_too_large"


class _Lists:
    """The timetable arrays as Python lists: the label loop indexes them one element at a time."""

    def __init__(self, timetable: Timetable) -> None:
        self.route_stops = [timetable.route_stops[a:b].tolist() for a, b in
                            zip(timetable.route_stop_ptr[:-1], timetable.route_stop_ptr[1:], strict=True)]
        self.trip_ptr = timetable.route_trip_ptr.tolist()
        self.time_ptr = timetable.route_time_ptr.tolist()
        self.departures = timetable.departures.tolist()
        self.arrivals = timetable.arrivals.tolist()
        self.stop_routes = [list(zip(timetable.stop_routes[a:b].tolist(), timetable.stop_route_pos[a:b].tolist(),
                                     strict=True))
                            for a, b in zip(timetable.stop_route_ptr[:-1], timetable.stop_route_ptr[1:], strict=True)]
        self.stop_ids = [s.stop_id for s in timetable.stops]
        self.route_ids = [timetable.gtfs_routes[g].route_id for g in timetable.route_gtfs.tolist()]


_LISTS: weakref.WeakKeyDictionary[Timetable, _Lists] = weakref.WeakKeyDictionary()


def _lists(timetable: Timetable) -> _Lists:
    lists = _LISTS.get(timetable)
    if lists is None:
        lists = _LISTS[timetable] = _Lists(timetable)
    return lists


def _first_at_or_after(deps: list[int], base: int, n: int, i: int, hi: int, value: int) -> int:
    """The first trip (local index) of a route whose departure at position ``i`` is at or after ``value``."""
    lo = 0
    while lo < hi:
        mid = (lo + hi) // 2
        if deps[base + mid * n + i] >= value:
            hi = mid
        else:
            lo = mid + 1
    return lo


def search(timetable: Timetable, footpaths: Footpaths, fare_search: FareSearch[Any], sources: list[tuple[int, int]],
           target: int, day: date, start: int, latest: int, max_rides: int = MAX_RIDES,
           limit: int | None = None, bounds: list[int] | None = None,
           max_labels: int | None = None) -> list[list[Step]]:
    """Steps of the journeys of the target's bag (Pareto over arrival, rides and fare state)."""
    lists = _lists(timetable)
    active, shifts_array = timetable.day_shifts(day)
    running = [row.tolist() for row in active]
    shifts = shifts_array.tolist()
    change = footpaths.change_s.tolist()
    walk_ptr, walk_to, walk_s = footpaths.walk_ptr.tolist(), footpaths.walk_to.tolist(), footpaths.walk_s.tolist()
    limit = limit if limit is not None else 1 << 60
    bound = bounds if bounds is not None else [0] * len(lists.stop_ids)
    never_fall = bool(getattr(fare_search, "prices_never_fall", False))
    dominates = fare_search.dominates
    day_origin = timetable.service_base(day)
    zone = timetable.zone
    times: dict[int, datetime] = {}

    def local(seconds: int) -> datetime:
        moment = times.get(seconds)
        if moment is None:
            moment = times[seconds] = (day_origin + timedelta(seconds=seconds)).astimezone(zone)
        return moment

    made = 0
    bags: list[list[Label]] = [[] for _ in lists.stop_ids]
    origin = sources[0][0]
    root = Label(start, start, 0, False, fare_search.initial(), None, None)
    new: dict[int, list[Label]] = {}
    for stop, at in sources:
        label = root if stop == origin else Label(at, at, 0, False, root.state, root, Walk(origin, stop, at - start))
        if insert(bags[stop], label, dominates):
            new.setdefault(stop, []).append(label)

    for k in range(1, max_rides + 1):
        queue: dict[int, int] = {}
        for stop in new:
            for r, pos in lists.stop_routes[stop]:
                if pos < queue.get(r, 1 << 30):
                    queue[r] = pos
        if not queue:
            break
        arrived: dict[int, list[Label]] = {}
        for r, first in queue.items():
            stops = lists.route_stops[r]
            n = len(stops)
            t0, t1 = lists.trip_ptr[r], lists.trip_ptr[r + 1]
            base = lists.time_ptr[r]
            route_id = lists.route_ids[r]
            deps, arrs = lists.departures, lists.arrivals
            riding: list[tuple[Label, int, int, int]] = []  # parent label, trip (global), slice, boarded at
            for i in range(first, n):
                p = stops[i]
                for parent, trip, o, board in riding:
                    row = base + (trip - t0) * n
                    a = arrs[row + i] + shifts[o]
                    if a + bound[p] > limit:
                        continue
                    d = deps[row + board] + shifts[o]
                    ride = ItineraryLeg(route_id, lists.stop_ids[stops[board]], lists.stop_ids[p], local(d), local(a))
                    ready = a + change[p] if change[p] >= 0 else 1 << 60
                    label = Label(a, ready, parent.rides + 1, True, fare_search.extend(parent.state, ride), parent,
                                  Ride(r, trip, shifts[o], board, i))
                    made += 1
                    if max_labels is not None and made > max_labels:
                        raise SearchTooLarge(f"more than {max_labels} labels: the fare search compares too few "
                                             "partial journeys", details={"labels": made})
                    if never_fall and p != target and _beaten(bags[target], a + bound[p], label):
                        continue
                    if insert(bags[p], label, dominates):
                        arrived.setdefault(p, []).append(label)
                if i + 1 == n:
                    break
                for parent in new.get(p, ()):
                    if parent.ready >= 1 << 60:
                        continue
                    for o in range(len(DAY_OFFSETS)):
                        shift, runs = shifts[o], running[o]
                        j = _first_at_or_after(deps, base, n, i, t1 - t0, parent.ready - shift)
                        if parent.rides == 0:
                            # the first ride: every trip leaving within the window (after the walk to it)
                            walked = parent.arrival - start
                            while j < t1 - t0 and deps[base + j * n + i] + shift - walked <= latest:
                                if runs[t0 + j]:
                                    _board(riding, parent, t0 + j, o, i, dominates)
                                j += 1
                            continue
                        while j < t1 - t0 and not runs[t0 + j]:
                            j += 1
                        if j < t1 - t0:
                            _board(riding, parent, t0 + j, o, i, dominates)
        new = {}
        for p, labels in arrived.items():
            for label in labels:
                if label not in bags[p]:
                    continue  # dominated later in the round
                new.setdefault(p, []).append(label)
                for w in range(walk_ptr[p], walk_ptr[p + 1]):
                    q, a = walk_to[w], label.arrival + walk_s[w]
                    if a + bound[q] > limit:
                        continue
                    walked = Label(a, a, k, False, label.state, label, Walk(p, q, walk_s[w]))
                    if never_fall and q != target and _beaten(bags[target], a + bound[q], walked):
                        continue
                    if insert(bags[q], walked, dominates):
                        new.setdefault(q, []).append(walked)
        new = {p: [label for label in labels if label in bags[p]] for p, labels in new.items()}
        new = {p: labels for p, labels in new.items() if labels}
    return [label.steps() for label in bags[target] if label.rides > 0 or label.step is not None]


def _beaten(arrived: list[Label], earliest: int, label: Label) -> bool:
    """Whether a journey already at the target is no worse than every way ``label`` may go on.

    Only for fare searches that declare ``prices_never_fall`` (a ride added
    never lowers the price): then ``label`` ends no cheaper than it has paid,
    no earlier than ``earliest`` and with no fewer rides.
    """
    paid = label.state.paid_minor
    if paid is None:
        return False
    for other in arrived:
        other_paid = other.state.paid_minor
        if (other.arrival <= earliest and other.rides <= label.rides and other_paid is not None
                and other_paid <= paid):
            return True
    return False


def _board(riding: list[tuple[Label, int, int, int]], parent: Label, trip: int, o: int, i: int,
           dominates: Any) -> None:
    """A route label; of two on the same trip from the same stop, one whose fare state is no better goes."""
    for index, (other, other_trip, other_o, other_board) in enumerate(riding):
        if other_trip == trip and other_o == o and other_board == i and other.rides <= parent.rides:
            if dominates(other.state, parent.state):
                return
            if parent.rides <= other.rides and dominates(parent.state, other.state):
                riding[index] = (parent, trip, o, i)
                return
    riding.append((parent, trip, o, i))
