"""The network of a GTFS feed, derived from ``trips.txt`` and ``stop_times.txt``.

The planner is frequency based (``fares.routing``), so the timetable is
summarised per *pattern* (the trips of one route and direction that call at
the same stops in the same order):

* offsets come from the pattern's representative trip, the one with the median
  run time; stops without times are interpolated by distance (GTFS
  ``stop_times.arrival_time``: only timepoints need times);
* the headway is the median gap between consecutive first departures of the
  pattern's trips (``frequencies.txt`` runs expanded), first and last departure
  are the earliest and latest of them; times past ``24:00:00`` stay seconds
  since the start of the service day, so a 25:10:00 run is at 90 600 s;
* only the trips of one service day count, or headways of weekday, Saturday
  and Sunday trips would interleave: the given ``day``, or by default the
  feed's busiest day, where a route without a trip that day keeps its own
  busiest day (a weekend-only line stays in the network).

Walking links come from ``transfers.txt`` (``min_transfer_time``, or the
distance for ``transfer_type`` 2; type 3 forbids the link), from stops closer
than ``WALK_RADIUS_M`` and from the platforms of one parent station.
"""
from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from fares.gtfs.basics import FeedBasics, GtfsStop, ServiceCalendar
from fares.gtfs.reader import RawFeed
from fares.network import Network, Pattern, Route, Stop, Walk
from fares.validation import Problems

WALK_RADIUS_M = 300.0
WALK_SPEED_M_S = 1.2
WALK_PENALTY_S = 60  # finding the other stop, crossing the street
STATION_WALK_S = 120  # between platforms of a station that has no coordinates
SINGLE_RUN_HEADWAY_S = 86_400  # a pattern with one run a day: next chance is tomorrow
MAX_CALENDAR_DAYS = 800  # days of calendar.txt looked at when choosing the busiest day
EARTH_RADIUS_M = 6_371_000.0

# GTFS routes.route_type, and the "extended" types (Google's Hierarchical Vehicle Types)
BASIC_MODES = {0: "tram", 1: "metro", 2: "rail", 3: "bus", 4: "ferry", 5: "cable_tram", 6: "aerial_lift",
               7: "funicular", 11: "trolleybus", 12: "monorail"}
EXTENDED_MODES = ((100, 199, "rail"), (200, 299, "coach"), (400, 499, "metro"), (700, 799, "bus"),
                  (800, 899, "trolleybus"), (900, 999, "tram"), (1000, 1099, "ferry"), (1200, 1299, "ferry"),
                  (1300, 1399, "aerial_lift"), (1400, 1499, "funicular"), (1500, 1599, "taxi"))

NETWORK_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar.txt",
                 "calendar_dates.txt", "frequencies.txt", "transfers.txt")


@dataclass(frozen=True, slots=True)
class TimedPattern(Pattern):
    """A pattern with its own service; the route's values are those of its busiest pattern.

    ``fares.graph`` and ``fares.routing`` read these when present, so that each
    direction and short-turn variant of a route waits for its own runs.
    """

    trips: int = 0


def mode_of(route_type: int) -> str:
    if route_type in BASIC_MODES:
        return BASIC_MODES[route_type]
    for low, high, mode in EXTENDED_MODES:
        if low <= route_type <= high:
            return mode
    return "other"


def parse_time(text: str) -> int:
    """``H:MM:SS`` or ``HH:MM:SS``, hours may pass 24 (a run after midnight of the service day)."""
    parts = text.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[1]) != 2 or len(parts[2]) != 2:
        raise ValueError(f"not a time in HH:MM:SS form: {text!r}")
    hours, minutes, seconds = int(parts[0]), int(parts[1]), int(parts[2])
    if minutes > 59 or seconds > 59:
        raise ValueError(f"not a time in HH:MM:SS form: {text!r}")
    return hours * 3600 + minutes * 60 + seconds


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def walk_seconds(metres: float) -> int:
    return math.ceil(metres / WALK_SPEED_M_S) + WALK_PENALTY_S


# --- trips and stop_times ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Trip:
    id: str
    route_id: str
    service_id: str
    direction_id: int | None


@dataclass(slots=True)
class _Run:
    """One trip's calls after validation and interpolation; ``times`` are departures, the last an arrival."""

    trip: _Trip
    stop_ids: tuple[str, ...]
    times: tuple[int, ...]
    departures: list[int] = field(default_factory=list)  # first departures (several with frequencies.txt)

    @property
    def run_time(self) -> int:
        return self.times[-1] - self.times[0]


def _read_trips(raw: RawFeed, basics: FeedBasics, problems: Problems, calendar_present: bool) -> dict[str, _Trip]:
    trips: dict[str, _Trip] = {}
    seen: set[str] = set()
    for row in raw.rows("trips.txt"):
        trip_id, route_id, service_id = row.get("trip_id"), row.get("route_id"), row.get("service_id")
        if not trip_id:
            problems.add("trips.txt", row.line, "trip_id", "must not be empty")
            continue
        if trip_id in seen:
            problems.add("trips.txt", row.line, "trip_id", f"duplicate trip_id {trip_id!r}")
            continue
        seen.add(trip_id)
        ok = True
        if route_id not in basics.routes:
            problems.add("trips.txt", row.line, "route_id", f"unknown route_id {route_id!r}")
            ok = False
        if calendar_present and not basics.services.known(service_id):
            problems.add("trips.txt", row.line, "service_id", f"unknown service_id {service_id!r}")
            ok = False
        direction = row.get("direction_id")
        if direction not in ("", "0", "1"):
            problems.add("trips.txt", row.line, "direction_id", f"must be 0 or 1, not {direction!r}")
            ok = False
        if ok:
            trips[trip_id] = _Trip(trip_id, route_id, service_id, int(direction) if direction else None)
    # trips with bad references are reported once and left out, but their stop_times are no orphans
    for trip_id in seen - trips.keys():
        trips.setdefault(trip_id, _Trip(trip_id, "", "", None))
    return trips


_Call = tuple[int, str, int | None, int | None, int]  # stop_sequence, stop_id, arrival, departure, line


def _read_stop_times(
    raw: RawFeed, basics: FeedBasics, trips: dict[str, _Trip], problems: Problems
) -> dict[str, list[_Call]]:
    calls: dict[str, list[_Call]] = defaultdict(list)
    stops = basics.stops
    name = "stop_times.txt"
    for row in raw.rows(name):
        values = row.values
        line = row.line
        trip_id = values.get("trip_id", "")
        trip = trips.get(trip_id)
        if trip is None:
            problems.add(name, line, "trip_id", f"unknown trip_id {trip_id!r}")
            continue
        stop_id = values.get("stop_id", "")
        if not stop_id:
            if values.get("location_id") or values.get("location_group_id"):
                continue  # GTFS-Flex zone: not a stop the planner can use
            problems.add(name, line, "stop_id", "must not be empty")
            continue
        stop = stops.get(stop_id)
        if stop is None:
            problems.add(name, line, "stop_id", f"unknown stop_id {stop_id!r}")
            continue
        if stop.location_type != 0:
            problems.add(name, line, "stop_id", f"stop {stop_id!r} is not a stop or platform (location_type "
                                                f"{stop.location_type})")
            continue
        sequence = values.get("stop_sequence", "")
        if not sequence.isdigit():
            problems.add(name, line, "stop_sequence", f"not a non-negative integer: {sequence!r}")
            continue
        times: list[int | None] = []
        bad = False
        for column in ("arrival_time", "departure_time"):
            text = values.get(column, "")
            if not text:
                times.append(None)
                continue
            try:
                times.append(parse_time(text))
            except ValueError as exc:
                problems.add(name, line, column, str(exc))
                bad = True
        if bad:
            continue
        if not trip.route_id:
            continue  # the trip itself was reported
        calls[trip_id].append((int(sequence), stop_id, times[0], times[1], line))
    return calls


def _distances(stop_ids: Sequence[str], stops: dict[str, GtfsStop]) -> list[float] | None:
    """Cumulative distance along the calls, or None when a stop lacks coordinates."""
    points = []
    for stop_id in stop_ids:
        lat, lon = stops[stop_id].lat, stops[stop_id].lon
        if lat is None or lon is None:
            return None
        points.append((lat, lon))
    out = [0.0]
    for (lat1, lon1), (lat2, lon2) in zip(points, points[1:], strict=False):
        out.append(out[-1] + haversine_m(lat1, lon1, lat2, lon2))
    return out


def _build_run(trip: _Trip, calls: list[_Call], stops: dict[str, GtfsStop], problems: Problems) -> _Run | None:
    calls.sort()
    name = "stop_times.txt"
    for (seq_a, *_), (seq_b, _, _, _, line) in zip(calls, calls[1:], strict=False):
        if seq_a == seq_b:
            problems.add(name, line, "stop_sequence", f"stop_sequence {seq_b} appears twice in trip {trip.id!r}")
            return None
    if len(calls) < 2:
        problems.add(name, calls[0][4], "trip_id", f"trip {trip.id!r} calls at fewer than two stops")
        return None
    stop_ids = [c[1] for c in calls]
    arrivals = [c[2] if c[2] is not None else c[3] for c in calls]
    departures = [c[3] if c[3] is not None else c[2] for c in calls]
    for index in (0, -1):
        if departures[index] is None:
            problems.add(name, calls[index][4], "arrival_time",
                         f"the {'first' if index == 0 else 'last'} stop of trip {trip.id!r} needs a time")
            return None
    if any(t is None for t in departures):
        _interpolate(stop_ids, arrivals, departures, stops)
    times = departures[:-1] + arrivals[-1:]
    previous = -1
    for call, time in zip(calls, times, strict=True):
        assert time is not None
        if time < previous:
            problems.add(name, call[4], "departure_time", f"earlier than the previous stop of trip {trip.id!r}")
            return None
        previous = time
    # a vehicle waiting at one stop (two calls in a row) is one call for the passenger
    kept_stops: list[str] = []
    kept_times: list[int] = []
    for stop_id, time in zip(stop_ids, times, strict=True):
        assert time is not None
        if kept_stops and kept_stops[-1] == stop_id:
            kept_times[-1] = time  # leaves (or, at the end, arrives) with the later call
            continue
        kept_stops.append(stop_id)
        kept_times.append(time)
    if len(kept_stops) < 2:
        return None
    start = kept_times[0]
    return _Run(trip, tuple(kept_stops), tuple(t - start for t in kept_times), [start])


def _interpolate(stop_ids: list[str], arrivals: list[int | None], departures: list[int | None],
                 stops: dict[str, GtfsStop]) -> None:
    """Fill untimed calls between timepoints by distance (by stop count without coordinates)."""
    distance = _distances(stop_ids, stops) or [float(i) for i in range(len(stop_ids))]
    last = 0
    for index in range(1, len(stop_ids)):
        if departures[index] is None:
            continue
        if index - last > 1:
            start, end = departures[last], arrivals[index]
            assert start is not None and end is not None
            span = distance[index] - distance[last]
            for k in range(last + 1, index):
                share = (distance[k] - distance[last]) / span if span > 0 else (k - last) / (index - last)
                departures[k] = arrivals[k] = start + round((end - start) * share)
        last = index


def _read_frequencies(raw: RawFeed, trips: dict[str, _Trip], problems: Problems) -> dict[str, list[int]]:
    """First departures of frequency-based trips: ``start_time``, every ``headway_secs``, before ``end_time``."""
    starts: dict[str, list[int]] = defaultdict(list)
    for row in raw.rows("frequencies.txt"):
        trip_id = row.get("trip_id")
        if trip_id not in trips:
            problems.add("frequencies.txt", row.line, "trip_id", f"unknown trip_id {trip_id!r}")
            continue
        try:
            start, end = parse_time(row.get("start_time")), parse_time(row.get("end_time"))
        except ValueError as exc:
            problems.add("frequencies.txt", row.line, "start_time", str(exc))
            continue
        headway = row.get("headway_secs")
        if not headway.isdigit() or int(headway) == 0:
            problems.add("frequencies.txt", row.line, "headway_secs", f"not a positive integer: {headway!r}")
            continue
        if end <= start:
            problems.add("frequencies.txt", row.line, "end_time", "must be after start_time")
            continue
        starts[trip_id].extend(range(start, end, int(headway)))
    return starts


# --- service days -----------------------------------------------------------------------------


def _service_dates(service_id: str, services: ServiceCalendar) -> Iterator[date]:
    week = services.weekly.get(service_id)
    if week is not None:
        days, start, end = week
        end = min(end, start + timedelta(days=MAX_CALENDAR_DAYS))
        day = start
        while day <= end:
            if days[day.weekday()] and services.runs(service_id, day):
                yield day
            day += timedelta(days=1)
    for day in sorted(services.added.get(service_id, frozenset())):
        if week is None or not (week[1] <= day <= week[2] and week[0][day.weekday()]):
            yield day


def busiest_day(trips_per_service: Counter[str], services: ServiceCalendar) -> date | None:
    """The date on which the most trips run (the earliest of equals), None without any calendar."""
    per_day: Counter[date] = Counter()
    for service_id, count in trips_per_service.items():
        for day in _service_dates(service_id, services):
            per_day[day] += count
    if not per_day:
        return None
    return min(per_day, key=lambda d: (-per_day[d], d))


# --- patterns and routes ----------------------------------------------------------------------


def _median_int(values: Sequence[int]) -> int:
    return int(round(statistics.median(values)))


def _headway(departures: Sequence[int]) -> int:
    gaps = [b - a for a, b in zip(departures, departures[1:], strict=False) if b > a]
    return max(1, _median_int(gaps)) if gaps else SINGLE_RUN_HEADWAY_S


def _reversed_against(stop_ids: Sequence[str], main: Sequence[str]) -> bool:
    """Whether ``stop_ids`` mostly runs against the order of ``main`` (for feeds without direction_id)."""
    position = {stop_id: i for i, stop_id in enumerate(main)}
    shared = [position[s] for s in stop_ids if s in position]
    steps = [b - a for a, b in zip(shared, shared[1:], strict=False)]
    return sum(1 for s in steps if s < 0) > sum(1 for s in steps if s > 0)


def _patterns(route_id: str, runs: Sequence[_Run]) -> tuple[TimedPattern, ...]:
    groups: dict[tuple[int | None, tuple[str, ...]], list[_Run]] = defaultdict(list)
    for run in runs:
        groups[(run.trip.direction_id, run.stop_ids)].append(run)
    busiest = max(groups, key=lambda k: (sum(len(r.departures) for r in groups[k]), k[1]))
    patterns = []
    for (direction, stop_ids), members in groups.items():
        if direction is None:
            direction = 1 if _reversed_against(stop_ids, busiest[1]) and stop_ids != busiest[1] else 0
        ordered = sorted(members, key=lambda r: (r.run_time, r.departures[0], r.trip.id))
        representative = ordered[(len(ordered) - 1) // 2]
        departures = sorted({d for r in members for d in r.departures})
        patterns.append(TimedPattern(route_id, direction, stop_ids, representative.times,
                                     headway_s=_headway(departures), first_departure_s=departures[0],
                                     last_departure_s=departures[-1], trips=len(departures)))
    patterns.sort(key=lambda p: (p.direction_id, -p.trips, p.stop_ids))
    return tuple(patterns)


def _runs_of_the_day(runs: Sequence[_Run], services: ServiceCalendar, day: date | None,
                    fall_back: bool) -> list[_Run]:
    if day is None:
        return list(runs)
    today = [r for r in runs if services.runs(r.trip.service_id, day)]
    if today or not fall_back:
        return today
    own = busiest_day(Counter(r.trip.service_id for r in runs), services)
    return [r for r in runs if own is not None and services.runs(r.trip.service_id, own)]


# --- walks ------------------------------------------------------------------------------------


def _cells(stops: Iterable[Stop], radius_m: float) -> dict[tuple[int, int], list[Stop]]:
    """A grid of ``radius_m`` cells: neighbours within the radius are in the 3x3 block around a stop."""
    grid: dict[tuple[int, int], list[Stop]] = defaultdict(list)
    for stop in stops:
        if stop.lat is None or stop.lon is None:
            continue
        y = math.radians(stop.lat) * EARTH_RADIUS_M
        x = math.radians(stop.lon) * EARTH_RADIUS_M * math.cos(math.radians(stop.lat))
        grid[(int(x // radius_m), int(y // radius_m))].append(stop)
    return grid


def proximity_walks(stops: Iterable[Stop], radius_m: float = WALK_RADIUS_M,
                    group: dict[str, int] | None = None) -> dict[tuple[str, str], int]:
    """Walks both ways between stops closer than ``radius_m``; with ``group``, only across groups."""
    grid = _cells(stops, radius_m)
    walks: dict[tuple[str, str], int] = {}
    for (cx, cy), members in grid.items():
        near = [s for dx in (-1, 0, 1) for dy in (-1, 0, 1) for s in grid.get((cx + dx, cy + dy), ())]
        for a in members:
            for b in near:
                if a.id == b.id or (group is not None and group.get(a.id) == group.get(b.id)):
                    continue
                metres = haversine_m(a.lat, a.lon, b.lat, b.lon)  # type: ignore[arg-type]  # _cells keeps located stops
                if metres <= radius_m:
                    walks[(a.id, b.id)] = walk_seconds(metres)
    return walks


def _station_walks(stops: dict[str, GtfsStop]) -> dict[tuple[str, str], int]:
    """Between a station and its platforms, and between the platforms of one station."""
    children: dict[str, list[GtfsStop]] = defaultdict(list)
    for stop in stops.values():
        if stop.parent_station and stop.location_type == 0 and stop.parent_station in stops:
            children[stop.parent_station].append(stop)

    def seconds(a: GtfsStop, b: GtfsStop) -> int:
        if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
            return STATION_WALK_S
        return walk_seconds(haversine_m(a.lat, a.lon, b.lat, b.lon))

    walks: dict[tuple[str, str], int] = {}
    for station_id, platforms in children.items():
        station = stops[station_id]
        for a in platforms:
            walks[(station_id, a.id)] = walks[(a.id, station_id)] = seconds(station, a)
            for b in platforms:
                if a.id != b.id:
                    walks[(a.id, b.id)] = seconds(a, b)
    return walks


def _transfer_walks(raw: RawFeed, basics: FeedBasics, problems: Problems
                    ) -> tuple[dict[tuple[str, str], int], set[tuple[str, str]]]:
    """``transfers.txt`` links between two stops; trip- and route-specific rows say nothing about walking."""
    walks: dict[tuple[str, str], int] = {}
    forbidden: set[tuple[str, str]] = set()
    for row in raw.rows("transfers.txt"):
        pair = (row.get("from_stop_id"), row.get("to_stop_id"))
        kind, minimum = row.get("transfer_type") or "0", row.get("min_transfer_time")
        ok = True
        for column, stop_id in zip(("from_stop_id", "to_stop_id"), pair, strict=True):
            if stop_id and stop_id not in basics.stops:
                problems.add("transfers.txt", row.line, column, f"unknown stop_id {stop_id!r}")
                ok = False
        if kind not in ("0", "1", "2", "3", "4", "5"):
            problems.add("transfers.txt", row.line, "transfer_type", f"must be 0 to 5, not {kind!r}")
            ok = False
        if minimum and not minimum.isdigit():
            problems.add("transfers.txt", row.line, "min_transfer_time", f"not a non-negative integer: {minimum!r}")
            ok = False
        specific = any(row.get(c) for c in ("from_route_id", "to_route_id", "from_trip_id", "to_trip_id"))
        if not ok or specific or not pair[0] or not pair[1] or pair[0] == pair[1] or kind in ("4", "5"):
            continue
        if kind == "3":
            forbidden.add(pair)
        elif minimum:
            walks[pair] = min(int(minimum), walks.get(pair, int(minimum)))
        elif kind == "2":
            a, b = basics.stops[pair[0]], basics.stops[pair[1]]
            if a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None:
                walks[pair] = min(walk_seconds(haversine_m(a.lat, a.lon, b.lat, b.lon)), walks.get(pair, 1 << 30))
            else:
                problems.add("transfers.txt", row.line, "min_transfer_time",
                             "required for transfer_type 2 between stops without coordinates")
    return walks, forbidden


def _walk_tuple(walks: dict[tuple[str, str], int]) -> tuple[Walk, ...]:
    return tuple(Walk(a, b, seconds) for (a, b), seconds in sorted(walks.items()))


# --- the network ------------------------------------------------------------------------------


def build_network(raw: RawFeed, basics: FeedBasics, problems: Problems, *, day: date | None = None,
                  walk_radius_m: float = WALK_RADIUS_M) -> Network:
    """The feed's network on ``day`` (default: its busiest day); reference problems go to ``problems``."""
    for required in ("trips.txt", "stop_times.txt"):
        if not raw.has(required):
            problems.add(required, None, None, "this file is required to derive the network")
    calendar_present = raw.has("calendar.txt") or raw.has("calendar_dates.txt")
    if not calendar_present:
        problems.add("calendar.txt", None, None, "calendar.txt or calendar_dates.txt is required")
    trips = _read_trips(raw, basics, problems, calendar_present)
    calls = _read_stop_times(raw, basics, trips, problems)
    frequencies = _read_frequencies(raw, trips, problems)

    runs_by_route: dict[str, list[_Run]] = defaultdict(list)
    for trip_id, trip_calls in calls.items():
        run = _build_run(trips[trip_id], trip_calls, basics.stops, problems)
        if run is None:
            continue
        if trip_id in frequencies:
            run.departures = frequencies[trip_id]
        runs_by_route[run.trip.route_id].append(run)
    for trip_id in frequencies.keys() - calls.keys():
        problems.add("frequencies.txt", None, "trip_id", f"trip {trip_id!r} has no stop_times")

    chosen = day is None
    if calendar_present and day is None:
        day = busiest_day(Counter(r.trip.service_id for runs in runs_by_route.values() for r in runs),
                          basics.services)
    routes: dict[str, Route] = {}
    for route_id, gtfs_route in basics.routes.items():
        runs = _runs_of_the_day(runs_by_route.get(route_id, ()), basics.services,
                                day if calendar_present else None, fall_back=chosen)
        if not runs:
            continue
        patterns = _patterns(route_id, runs)
        main = max(patterns, key=lambda p: p.trips)
        firsts = [p.first_departure_s for p in patterns if p.first_departure_s is not None]
        lasts = [p.last_departure_s for p in patterns if p.last_departure_s is not None]
        routes[route_id] = Route(
            id=route_id, operator_id=gtfs_route.agency_id, short_name=gtfs_route.short_name or route_id,
            mode=mode_of(gtfs_route.route_type), headway_s=main.headway_s or SINGLE_RUN_HEADWAY_S,
            first_departure_s=min(firsts), last_departure_s=max(lasts),
            long_name=gtfs_route.long_name, patterns=patterns,
        )

    stops = {
        s.id: Stop(s.id, s.name, s.lat, s.lon, s.zone_id)  # type: ignore[arg-type]  # no coordinates: None
        for s in basics.stops.values() if s.location_type in (0, 1)
    }
    walks = proximity_walks(stops.values(), walk_radius_m)
    walks.update(_station_walks(basics.stops))
    explicit, forbidden = _transfer_walks(raw, basics, problems)
    walks.update(explicit)
    for pair in forbidden:
        walks.pop(pair, None)
    walks = {pair: s for pair, s in walks.items() if pair[0] in stops and pair[1] in stops}
    return Network(stops, routes, _walk_tuple(walks))


def merge_networks(*networks: Network, walk_radius_m: float = WALK_RADIUS_M) -> Network:
    """One network from several feeds, with walks between nearby stops of different feeds.

    Stop and route ids must be distinct across the networks (or describe the same thing).
    """
    stops: dict[str, Stop] = {}
    routes: dict[str, Route] = {}
    group: dict[str, int] = {}
    walks: dict[tuple[str, str], int] = {}
    for index, network in enumerate(networks):
        for stop_id, stop in network.stops.items():
            if stop_id in stops and stops[stop_id] != stop:
                raise ValueError(f"stop id {stop_id!r} names different stops in two networks")
            stops[stop_id] = stop
            group.setdefault(stop_id, index)
        for route_id, route in network.routes.items():
            if route_id in routes and routes[route_id] != route:
                raise ValueError(f"route id {route_id!r} names different routes in two networks")
            routes[route_id] = route
        for walk in network.walks:
            walks[(walk.from_stop_id, walk.to_stop_id)] = walk.seconds
    for pair, seconds in proximity_walks(stops.values(), walk_radius_m, group).items():
        walks.setdefault(pair, seconds)
    return Network(stops, routes, _walk_tuple(walks))
