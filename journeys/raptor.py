"""RAPTOR: earliest arrival by rounds (round k rides k vehicles), and the range query built on it.

Delling, Pajor, Werneck, "Round-Based Public Transit Routing" (2012). Round k
scans every route that calls at a stop improved in round k - 1, catching at
each stop the earliest trip the passenger can still board, then relaxes the
(transitively closed) footpaths once. The target's arrival after each round
is the Pareto set over arrival and number of transfers; an arrival that is
no earlier than the target's best is pruned (target pruning).

Three times per stop and round: ``arrival`` (when the passenger is there, by
any means), the best vehicle arrival (only a vehicle's arrival may be followed
by a walk: the footpaths are closed, so a walk never follows a walk) and
``ready`` (when the passenger may board): a vehicle's arrival plus the stop's
change time, or a walk's arrival (the walk includes the change), or the start.

The scan runs compiled (numba) over the ``Timetable`` arrays; trips of the
service days d - 1, d and d + 1 are three "slices", each searched for its own
earliest trip, since a late trip of yesterday may overtake an early one of
today.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numba
import numpy as np

from journeys.footpaths import FORBIDDEN, Footpaths
from journeys.journey import Ride, Step, Walk
from journeys.timetable import Timetable

INF = np.int64(1) << np.int64(60)
MAX_ROUNDS = 12  # rides in one journey; no real journey needs more
ORIGIN, BY_TRIP, BY_WALK = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Rounds:
    """Labels of one search: ``arrival[k, s]`` after k rides at most (copied forward), and their parents."""

    day: date
    arrival: np.ndarray  # int64 [K+1, S]
    arrival_kind: np.ndarray  # int8: ORIGIN, BY_TRIP, BY_WALK
    arrival_round: np.ndarray  # int16: the round that set it
    walk_from: np.ndarray  # int32: BY_WALK from this stop (its vehicle arrival, same round); ORIGIN: the source
    ready: np.ndarray  # int64
    ready_kind: np.ndarray
    ready_round: np.ndarray
    ready_from: np.ndarray
    ride_route: np.ndarray  # int32 [K+1, S]: the vehicle that arrived in that round ...
    ride_trip: np.ndarray  # ... (global trip index)
    ride_slice: np.ndarray  # ... index into DAY_OFFSETS
    ride_board: np.ndarray  # ... boarded at this position of the route
    ride_alight: np.ndarray  # ... left at this position
    shifts: np.ndarray  # int64 per slice

    @property
    def rounds(self) -> int:
        return int(self.arrival.shape[0]) - 1


@numba.njit(cache=True)
def _earliest_trip(route_time_ptr_r, n, t0, t1, pos, departures, active_o, shift, ready, before):  # pragma: no cover
    """The first trip (local index) of the route, running in this slice, leaving ``pos`` at or after ``ready``."""
    lo, hi = 0, t1 - t0
    while lo < hi:
        mid = (lo + hi) // 2
        if departures[route_time_ptr_r + mid * n + pos] + shift >= ready:
            hi = mid
        else:
            lo = mid + 1
    while lo < t1 - t0 and lo < before:
        if active_o[t0 + lo]:
            return lo
        lo += 1
    return -1


@numba.njit(cache=True)
def _scan(route_stop_ptr, route_stops, route_trip_ptr, route_time_ptr, departures, arrivals,
          stop_route_ptr, stop_routes, stop_route_pos, walk_ptr, walk_to, walk_s, change_s,
          active, shifts, sources, source_times, target, max_rounds,
          arrival, ride_arrival, arrival_kind, arrival_round, walk_from, ready, ready_kind, ready_round, ready_from,
          ride_route, ride_trip, ride_slice, ride_board, ride_alight):  # pragma: no cover
    """Fills the round arrays (row 0 holds the sources); returns the number of rounds run."""
    inf = np.int64(1) << np.int64(60)
    n_stops = len(stop_route_ptr) - 1
    n_routes = len(route_stop_ptr) - 1
    slices = len(shifts)
    marked = np.zeros(n_stops, dtype=np.bool_)
    for j in range(len(sources)):
        s, t = sources[j], source_times[j]
        if t < arrival[0, s]:
            arrival[0, s] = t
            arrival_kind[0, s] = 0
            walk_from[0, s] = sources[0]
            ready[0, s] = t
            ready_kind[0, s] = 0
            ready_from[0, s] = sources[0]
            marked[s] = True
    first_pos = np.full(n_routes, np.int32(1 << 30), dtype=np.int32)
    queued = np.zeros(n_routes, dtype=np.int32)
    improved = np.zeros(n_stops, dtype=np.int32)
    trip_arrival = np.full(n_stops, inf, dtype=np.int64)
    cur = np.empty(slices, dtype=np.int64)
    board = np.empty(slices, dtype=np.int64)
    k = 0
    for k in range(1, max_rounds + 1):
        arrival[k] = arrival[k - 1]
        ride_arrival[k] = ride_arrival[k - 1]
        arrival_kind[k] = arrival_kind[k - 1]
        arrival_round[k] = arrival_round[k - 1]
        walk_from[k] = walk_from[k - 1]
        ready[k] = ready[k - 1]
        ready_kind[k] = ready_kind[k - 1]
        ready_round[k] = ready_round[k - 1]
        ready_from[k] = ready_from[k - 1]
        n_queued = 0
        for s in range(n_stops):
            if marked[s]:
                marked[s] = False
                for j in range(stop_route_ptr[s], stop_route_ptr[s + 1]):
                    r = stop_routes[j]
                    if first_pos[r] == 1 << 30:
                        queued[n_queued] = r
                        n_queued += 1
                    if stop_route_pos[j] < first_pos[r]:
                        first_pos[r] = stop_route_pos[j]
        if n_queued == 0:
            return k - 1
        n_improved = 0
        for q in range(n_queued):
            r = queued[q]
            start = first_pos[r]
            first_pos[r] = 1 << 30
            s0, s1 = route_stop_ptr[r], route_stop_ptr[r + 1]
            n = s1 - s0
            t0, t1 = route_trip_ptr[r], route_trip_ptr[r + 1]
            base = route_time_ptr[r]
            for o in range(slices):
                cur[o] = -1
            for i in range(start, n):
                p = route_stops[s0 + i]
                best = inf
                which = -1
                for o in range(slices):
                    if cur[o] >= 0:
                        a = arrivals[base + cur[o] * n + i] + shifts[o]
                        if a < best:
                            best = a
                            which = o
                if which >= 0 and best < ride_arrival[k, p] and best < arrival[k, target]:
                    ride_arrival[k, p] = best
                    if best < arrival[k, p]:
                        arrival[k, p] = best
                        arrival_kind[k, p] = 1
                        arrival_round[k, p] = k
                    ride_route[k, p] = r
                    ride_trip[k, p] = t0 + cur[which]
                    ride_slice[k, p] = which
                    ride_board[k, p] = board[which]
                    ride_alight[k, p] = i
                    if trip_arrival[p] == inf:
                        improved[n_improved] = p
                        n_improved += 1
                    trip_arrival[p] = best
                if i + 1 < n and ready[k - 1, p] < inf:
                    want = ready[k - 1, p]
                    for o in range(slices):
                        before = cur[o] if cur[o] >= 0 else t1 - t0
                        found = _earliest_trip(base, n, t0, t1, i, departures, active[o], shifts[o], want, before)
                        if found >= 0:
                            cur[o] = found
                            board[o] = i
        for j in range(n_improved):
            p = improved[j]
            a = trip_arrival[p]
            trip_arrival[p] = inf
            if change_s[p] >= 0 and a + change_s[p] < ready[k, p]:
                ready[k, p] = a + change_s[p]
                ready_kind[k, p] = 1
                ready_round[k, p] = k
                marked[p] = True
            for w in range(walk_ptr[p], walk_ptr[p + 1]):
                q2 = walk_to[w]
                c = a + walk_s[w]
                if c >= arrival[k, target] and q2 != target:
                    continue
                if c < arrival[k, q2]:
                    arrival[k, q2] = c
                    arrival_kind[k, q2] = 2
                    arrival_round[k, q2] = k
                    walk_from[k, q2] = p
                if c < ready[k, q2]:
                    ready[k, q2] = c
                    ready_kind[k, q2] = 2
                    ready_round[k, q2] = k
                    ready_from[k, q2] = p
                    marked[q2] = True
    return k


def search(timetable: Timetable, footpaths: Footpaths, sources: list[tuple[int, int]], target: int, day: date,
           max_rounds: int = MAX_ROUNDS) -> Rounds:
    """Rounds from ``sources`` (stop index, seconds after ``day``'s origin of GTFS times) towards ``target``."""
    active, shifts = timetable.day_shifts(day)
    size = (max_rounds + 1, len(timetable.stops))
    arrival = np.full(size, INF, dtype=np.int64)
    ride_arrival = np.full(size, INF, dtype=np.int64)
    ready = np.full(size, INF, dtype=np.int64)
    kinds = [np.zeros(size, dtype=np.int8) for _ in range(2)]
    rounds_of = [np.zeros(size, dtype=np.int16) for _ in range(2)]
    froms = [np.full(size, -1, dtype=np.int32) for _ in range(2)]
    rides = [np.full(size, -1, dtype=np.int32) for _ in range(5)]
    ran = _scan(timetable.route_stop_ptr, timetable.route_stops, timetable.route_trip_ptr, timetable.route_time_ptr,
                timetable.departures, timetable.arrivals, timetable.stop_route_ptr, timetable.stop_routes,
                timetable.stop_route_pos, footpaths.walk_ptr, footpaths.walk_to, footpaths.walk_s,
                footpaths.change_s, active, shifts, np.array([s for s, _ in sources], dtype=np.int32),
                np.array([t for _, t in sources], dtype=np.int64), target, max_rounds,
                arrival, ride_arrival, kinds[0], rounds_of[0], froms[0], ready, kinds[1], rounds_of[1], froms[1],
                *rides)
    keep = ran + 1
    return Rounds(day, arrival[:keep], kinds[0][:keep], rounds_of[0][:keep], froms[0][:keep], ready[:keep],
                  kinds[1][:keep], rounds_of[1][:keep], froms[1][:keep], *(r[:keep] for r in rides), shifts)


def _ride(rounds: Rounds, timetable: Timetable, k: int, stop: int) -> Ride:
    o = int(rounds.ride_slice[k, stop])
    return Ride(int(rounds.ride_route[k, stop]), int(rounds.ride_trip[k, stop]), int(rounds.shifts[o]),
                int(rounds.ride_board[k, stop]), int(rounds.ride_alight[k, stop]))


def _walk_seconds(footpaths: Footpaths, a: int, b: int) -> int:
    to, seconds = footpaths.walks_from(a)
    return int(seconds[np.nonzero(to == b)[0][0]])


def steps_to(rounds: Rounds, timetable: Timetable, footpaths: Footpaths, target: int, k: int) -> list[Step]:
    """The journey that reaches ``target`` by ``arrival[k, target]``, from the parent labels."""
    steps: list[Step] = []

    def from_ride(r: int, stop: int) -> tuple[str, int, int]:
        ride = _ride(rounds, timetable, r, stop)
        steps.append(ride)
        board = int(timetable.route_stops[timetable.route_stop_ptr[ride.route] + ride.board])
        return "ready", r - 1, board

    kind = int(rounds.arrival_kind[k, target])
    r = int(rounds.arrival_round[k, target])
    if kind == BY_TRIP:
        label = from_ride(r, target)
    elif kind == BY_WALK:
        p = int(rounds.walk_from[r, target])
        steps.append(Walk(p, target, _walk_seconds(footpaths, p, target)))
        label = from_ride(r, p)
    else:
        label = ("ready", 0, target)
    while True:
        _, k, stop = label
        kind = int(rounds.ready_kind[k, stop])
        r = int(rounds.ready_round[k, stop])
        if kind == ORIGIN:
            origin = int(rounds.ready_from[r, stop])
            if origin != stop:
                steps.append(Walk(origin, stop, _walk_seconds(footpaths, origin, stop)))
            break
        if kind == BY_TRIP:
            label = from_ride(r, stop)
        else:
            p = int(rounds.ready_from[r, stop])
            steps.append(Walk(p, stop, _walk_seconds(footpaths, p, stop)))
            label = from_ride(r, p)
    steps.reverse()
    return steps


def pareto_rounds(rounds: Rounds, target: int) -> list[tuple[int, int]]:
    """(rides, arrival) at the target after each round that improved it: fewest transfers against arrival."""
    out: list[tuple[int, int]] = []
    best = INF
    for k in range(rounds.rounds + 1):
        a = int(rounds.arrival[k, target])
        if a < best:
            out.append((k, a))
            best = a
    return out


assert FORBIDDEN < 0  # _scan tests change_s >= 0
