"""Building the ``Timetable`` (and its ``Footpaths``) from GTFS feeds.

Rows are read and checked by ``fares.gtfs`` (the same problems, with file,
line and field, as a tariff import reports); here trips become arrays:

* untimed calls are interpolated by distance between timepoints, as
  ``fares.gtfs.network`` does; a vehicle calling twice in a row at one stop is
  one call (arriving with the first, leaving with the last);
* ``frequencies.txt`` runs become trips, for both ``exact_times`` values: with
  ``exact_times=1`` the spec fixes the departures (``start_time``, then every
  ``headway_secs`` before ``end_time``); with ``exact_times=0`` it promises only
  the headway, and we plan on the same departures. That is a schedule the
  operator may not keep to the minute; an expected wait of half a headway
  (the old planner's model) would be no timetable at all, and a ticket's
  validity needs real times;
* trips are grouped by GTFS route and stop sequence, then split so that no
  trip overtakes another inside one RAPTOR route (``_fifo_groups``).

Several feeds make one timetable (Porto Alegre: EPTC buses and TRENSURB
trains); stop and trip ids must not clash between them and all agencies share
one timezone.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from fares.gtfs.basics import FeedBasics, load_basics
from fares.gtfs.network import _interpolate, _read_stop_times, _read_trips, mode_of, parse_time
from fares.gtfs.reader import RawFeed, feed_from_texts
from fares.validation import Problems
from journeys.calendar import service_days
from journeys.footpaths import Footpaths, build_footpaths
from journeys.timetable import RouteInfo, StopInfo, Timetable

TIMETABLE_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar.txt",
                   "calendar_dates.txt", "frequencies.txt", "transfers.txt")


@dataclass(slots=True)
class _Trip:
    stops: tuple[int, ...]
    arrivals: list[int]
    departures: list[int]
    service: int
    trip_id: str
    headsign: str
    route: int


def _calls_of_trip(trip_id: str, calls: list[tuple[int, str, int | None, int | None, int]],
                   basics: FeedBasics, problems: Problems) -> tuple[list[str], list[int], list[int]] | None:
    """Stop ids, arrivals and departures of one trip, interpolated and checked; None after a reported problem."""
    calls.sort()
    name = "stop_times.txt"
    for (seq_a, *_), (seq_b, _, _, _, line) in zip(calls, calls[1:], strict=False):
        if seq_a == seq_b:
            problems.add(name, line, "stop_sequence", f"stop_sequence {seq_b} appears twice in trip {trip_id!r}")
            return None
    if len(calls) < 2:
        problems.add(name, calls[0][4], "trip_id", f"trip {trip_id!r} calls at fewer than two stops")
        return None
    stop_ids = [c[1] for c in calls]
    arrivals: list[int | None] = [c[2] if c[2] is not None else c[3] for c in calls]
    departures: list[int | None] = [c[3] if c[3] is not None else c[2] for c in calls]
    for index in (0, -1):
        if departures[index] is None:
            problems.add(name, calls[index][4], "arrival_time",
                         f"the {'first' if index == 0 else 'last'} stop of trip {trip_id!r} needs a time")
            return None
    if any(t is None for t in departures):
        _interpolate(stop_ids, arrivals, departures, basics.stops)
    previous = -1
    for call, arrival, departure in zip(calls, arrivals, departures, strict=True):
        assert arrival is not None and departure is not None
        if arrival < previous or departure < arrival:
            problems.add(name, call[4], "arrival_time", f"earlier than the previous time of trip {trip_id!r}")
            return None
        previous = departure
    kept: list[str] = []
    arr: list[int] = []
    dep: list[int] = []
    for stop_id, arrival, departure in zip(stop_ids, arrivals, departures, strict=True):
        assert arrival is not None and departure is not None
        if kept and kept[-1] == stop_id:
            dep[-1] = departure
            continue
        kept.append(stop_id)
        arr.append(arrival)
        dep.append(departure)
    return (kept, arr, dep) if len(kept) >= 2 else None


def _frequencies(raw: RawFeed, known: set[str], problems: Problems) -> dict[str, list[int]]:
    """First departures of frequency-based trips (``exact_times`` 0 and 1 alike, see the module docstring)."""
    starts: dict[str, list[int]] = defaultdict(list)
    name = "frequencies.txt"
    for row in raw.rows(name):
        trip_id = row.get("trip_id")
        if trip_id not in known:
            problems.add(name, row.line, "trip_id", f"unknown trip_id {trip_id!r}")
            continue
        try:
            start, end = parse_time(row.get("start_time")), parse_time(row.get("end_time"))
        except ValueError as exc:
            problems.add(name, row.line, "start_time", str(exc))
            continue
        headway = row.get("headway_secs")
        if not headway.isdigit() or int(headway) == 0:
            problems.add(name, row.line, "headway_secs", f"not a positive integer: {headway!r}")
            continue
        if row.get("exact_times") not in ("", "0", "1"):
            problems.add(name, row.line, "exact_times", f"must be 0 or 1, not {row.get('exact_times')!r}")
            continue
        if end <= start:
            problems.add(name, row.line, "end_time", "must be after start_time")
            continue
        starts[trip_id].extend(range(start, end, int(headway)))
    return starts


def _fifo_groups(trips: list[_Trip]) -> list[list[_Trip]]:
    """Trips of one stop sequence in as few groups as greedily found where none overtakes another."""
    trips.sort(key=lambda t: (t.departures[0], t.arrivals[-1], t.trip_id))
    groups: list[list[_Trip]] = []
    for trip in trips:
        for group in groups:
            last = group[-1]
            if all(a >= b for a, b in zip(trip.arrivals, last.arrivals, strict=True)) and all(
                    a >= b for a, b in zip(trip.departures, last.departures, strict=True)):
                group.append(trip)
                break
        else:
            groups.append([trip])
    return groups


def _feed_trips(feed_key: int, raw: RawFeed, basics: FeedBasics, stop_index: dict[str, int],
                route_index: dict[str, int], service_index: dict[object, int], problems: Problems) -> list[_Trip]:
    for required in ("trips.txt", "stop_times.txt"):
        if not raw.has(required):
            problems.add(required, None, None, "this file is required for a timetable")
    calendar_present = raw.has("calendar.txt") or raw.has("calendar_dates.txt")
    if not calendar_present:
        problems.add("calendar.txt", None, None, "calendar.txt or calendar_dates.txt is required")
    trips = _read_trips(raw, basics, problems, calendar_present)
    headsigns = {row.get("trip_id"): row.get("trip_headsign") for row in raw.rows("trips.txt")}
    calls = _read_stop_times(raw, basics, trips, problems)
    frequencies = _frequencies(raw, set(trips), problems)
    out: list[_Trip] = []
    for trip_id, trip_calls in calls.items():
        trip = trips[trip_id]
        service = service_index.get((feed_key, trip.service_id))
        if service is None:
            continue  # no calendar at all (reported above)
        built = _calls_of_trip(trip_id, trip_calls, basics, problems)
        if built is None:
            continue
        stop_ids, arrivals, departures = built
        stops = tuple(stop_index[s] for s in stop_ids)
        route = route_index[trip.route_id]
        starts = frequencies.get(trip_id)
        if starts is None:
            out.append(_Trip(stops, arrivals, departures, service, trip_id, headsigns.get(trip_id, ""), route))
            continue
        first = departures[0]
        for start in starts:
            out.append(_Trip(stops, [a - first + start for a in arrivals], [d - first + start for d in departures],
                             service, trip_id, headsigns.get(trip_id, ""), route))
    for trip_id in frequencies.keys() - calls.keys():
        problems.add("frequencies.txt", None, "trip_id", f"trip {trip_id!r} has no stop_times")
    return out


def build(feeds: Sequence[RawFeed], problems: Problems | None = None) -> tuple[Timetable, Footpaths]:
    """The timetable and footpaths of one or more feeds; raises ``ValidationFailed`` listing every problem."""
    own = problems is None
    problems = problems if problems is not None else Problems()
    all_basics = [load_basics(raw, problems) for raw in feeds]
    timezones = {basics.timezone for basics in all_basics}
    if len(timezones) > 1:
        problems.add("agency.txt", None, "agency_timezone", f"the feeds use several timezones: {sorted(timezones)}")
    stops: list[StopInfo] = []
    stop_index: dict[str, int] = {}
    routes: list[RouteInfo] = []
    route_index: dict[str, int] = {}
    for basics in all_basics:
        for stop in basics.stops.values():
            if stop.location_type == 0 and stop.id not in stop_index:
                stop_index[stop.id] = len(stops)
                stops.append(StopInfo(stop.id, stop.name, stop.lat, stop.lon, stop.parent_station))
        for route in basics.routes.values():
            if route.id not in route_index:
                route_index[route.id] = len(routes)
                routes.append(RouteInfo(route.id, route.agency_id, route.short_name or route.id,
                                        mode_of(route.route_type)))
    services = service_days((key, basics.services) for key, basics in enumerate(all_basics))
    service_index = {key: i for i, key in enumerate(services.service_keys)}
    trips = [trip for key, (raw, basics) in enumerate(zip(feeds, all_basics, strict=True))
             for trip in _feed_trips(key, raw, basics, stop_index, route_index, service_index, problems)]
    timetable = _arrays(all_basics[0].timezone if all_basics else "UTC", tuple(stops), tuple(routes), services,
                        trips)
    footpaths = build_footpaths(feeds, all_basics, timetable, problems)
    if own:
        problems.raise_if_any(", ".join(raw.source for raw in feeds))
    return timetable, footpaths


def build_from_texts(texts: Mapping[str, str], source: str = "timetable",
                     problems: Problems | None = None) -> tuple[Timetable, Footpaths]:
    """From the stored texts of a feed's files (``TIMETABLE_FILES``), e.g. a tariff version's."""
    own = problems is None
    problems = problems if problems is not None else Problems()
    raw = feed_from_texts(source, {name: text for name, text in texts.items() if name in TIMETABLE_FILES}, problems)
    result = build([raw], problems)
    if own:
        problems.raise_if_any(source)
    return result


def _arrays(timezone: str, stops: tuple[StopInfo, ...], routes: tuple[RouteInfo, ...], services: object,
            trips: list[_Trip]) -> Timetable:
    by_pattern: dict[tuple[int, tuple[int, ...]], list[_Trip]] = defaultdict(list)
    for trip in trips:
        by_pattern[(trip.route, trip.stops)].append(trip)
    route_gtfs: list[int] = []
    stop_ptr, trip_ptr, time_ptr = [0], [0], []
    route_stops: list[int] = []
    ordered: list[_Trip] = []
    stop_times = 0
    for (route, pattern), members in sorted(by_pattern.items(), key=lambda item: (item[0][0], item[0][1])):
        for group in _fifo_groups(members):
            route_gtfs.append(route)
            time_ptr.append(stop_times)
            stop_times += len(pattern) * len(group)
            route_stops.extend(pattern)
            stop_ptr.append(len(route_stops))
            ordered.extend(group)
            trip_ptr.append(len(ordered))
    departures = np.fromiter((d for t in ordered for d in t.departures), dtype=np.int32)
    arrivals = np.fromiter((a for t in ordered for a in t.arrivals), dtype=np.int32)
    served: list[list[tuple[int, int]]] = [[] for _ in stops]
    for r in range(len(route_gtfs)):
        for pos, stop in enumerate(route_stops[stop_ptr[r]:stop_ptr[r + 1]]):
            served[stop].append((r, pos))
    stop_route_ptr = np.zeros(len(stops) + 1, dtype=np.int32)
    stop_route_ptr[1:] = np.cumsum([len(s) for s in served])
    return Timetable(
        timezone=timezone, stops=stops, gtfs_routes=routes, services=services,  # type: ignore[arg-type]
        route_gtfs=np.array(route_gtfs, dtype=np.int32), route_stop_ptr=np.array(stop_ptr, dtype=np.int32),
        route_stops=np.array(route_stops, dtype=np.int32), route_trip_ptr=np.array(trip_ptr, dtype=np.int32),
        route_time_ptr=np.array(time_ptr, dtype=np.int64), departures=departures, arrivals=arrivals,
        trip_service=np.array([t.service for t in ordered], dtype=np.int32),
        trip_ids=tuple(t.trip_id for t in ordered), trip_headsigns=tuple(t.headsign for t in ordered),
        stop_route_ptr=stop_route_ptr,
        stop_routes=np.array([r for s in served for r, _ in s], dtype=np.int32),
        stop_route_pos=np.array([p for s in served for _, p in s], dtype=np.int32),
    )
