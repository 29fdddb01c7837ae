"""What a search answers: journeys of timed legs on a real date.

Field names follow ``fares.routing.JourneyLeg`` and ``Journey`` (which the API
dumps), with ``trip_id`` and ``headsign`` for rides and ``walk_m`` for walks.
A search produces ``Ride`` and ``Walk`` steps in seconds of its service day;
``journey_of`` turns them into legs with timezone-aware datetimes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fares.price import ItineraryLeg, Price
from journeys.footpaths import Footpaths
from journeys.timetable import Timetable


@dataclass(frozen=True, slots=True)
class Ride:
    """Trip ``trip`` (global index) of RAPTOR route ``route``, ``shift`` seconds from the query day's origin."""

    route: int
    trip: int
    shift: int
    board: int  # position in the route
    alight: int


@dataclass(frozen=True, slots=True)
class Walk:
    from_stop: int
    to_stop: int
    seconds: int


Step = Ride | Walk


@dataclass(frozen=True, slots=True)
class JourneyLeg:
    mode: str  # "walk" or the route's mode
    from_stop_id: str
    to_stop_id: str
    departure: datetime
    arrival: datetime
    operator_id: str | None = None
    route_id: str | None = None
    route_name: str | None = None
    stop_ids: tuple[str, ...] = ()
    trip_id: str | None = None  # None for a walk
    headsign: str | None = None
    walk_m: float | None = None  # a walk's length (None when a stop has no coordinates)

    @property
    def is_ride(self) -> bool:
        return self.route_id is not None

    def itinerary_leg(self) -> ItineraryLeg:
        assert self.route_id is not None
        return ItineraryLeg(self.route_id, self.from_stop_id, self.to_stop_id, self.departure, self.arrival)


@dataclass(frozen=True, slots=True)
class Journey:
    criteria: tuple[str, ...]
    legs: tuple[JourneyLeg, ...]
    price: Price | None = None

    @property
    def departure(self) -> datetime:
        return self.legs[0].departure

    @property
    def arrival(self) -> datetime:
        return self.legs[-1].arrival

    @property
    def transfers(self) -> int:
        return max(0, sum(1 for leg in self.legs if leg.is_ride) - 1)

    @property
    def rides(self) -> tuple[ItineraryLeg, ...]:
        return tuple(leg.itinerary_leg() for leg in self.legs if leg.is_ride)

    def signature(self) -> tuple[Any, ...]:
        return tuple((leg.trip_id, leg.route_id, leg.from_stop_id, leg.to_stop_id, leg.departure) for leg in self.legs)


def ride_times(timetable: Timetable, ride: Ride) -> tuple[int, int]:
    """Departure from the boarding stop and arrival at the alighting stop, in seconds of the query day."""
    r = ride.route
    n = int(timetable.route_stop_ptr[r + 1] - timetable.route_stop_ptr[r])
    row = int(timetable.route_time_ptr[r]) + (ride.trip - int(timetable.route_trip_ptr[r])) * n
    return (int(timetable.departures[row + ride.board]) + ride.shift,
            int(timetable.arrivals[row + ride.alight]) + ride.shift)


def ride_stops(timetable: Timetable, ride: Ride) -> tuple[int, ...]:
    start = int(timetable.route_stop_ptr[ride.route])
    return tuple(int(s) for s in timetable.route_stops[start + ride.board:start + ride.alight + 1])


def itinerary_leg(timetable: Timetable, day: date, ride: Ride) -> ItineraryLeg:
    """A ride as the fare engines take it."""
    stops = ride_stops(timetable, ride)
    departure, arrival = ride_times(timetable, ride)
    route = timetable.gtfs_routes[int(timetable.route_gtfs[ride.route])]
    return ItineraryLeg(route.route_id, timetable.stops[stops[0]].stop_id, timetable.stops[stops[-1]].stop_id,
                        timetable.local(day, departure), timetable.local(day, arrival))


def journey_of(timetable: Timetable, footpaths: Footpaths, day: date, start: int, steps: list[Step],
               criteria: tuple[str, ...] = (), price: Price | None = None) -> Journey:
    """Legs of ``steps``; walks start when the vehicle arrives, the first walk ends when the first ride leaves."""
    legs: list[JourneyLeg] = []
    now = start
    for index, step in enumerate(steps):
        if isinstance(step, Ride):
            departure, arrival = ride_times(timetable, step)
            stops = ride_stops(timetable, step)
            route = timetable.gtfs_routes[int(timetable.route_gtfs[step.route])]
            legs.append(JourneyLeg(
                route.mode, timetable.stops[stops[0]].stop_id, timetable.stops[stops[-1]].stop_id,
                timetable.local(day, departure), timetable.local(day, arrival), operator_id=route.operator_id,
                route_id=route.route_id, route_name=route.short_name,
                stop_ids=tuple(timetable.stops[s].stop_id for s in stops), trip_id=timetable.trip_ids[step.trip],
                headsign=timetable.trip_headsigns[step.trip] or None))
            now = arrival
            continue
        a, b = timetable.stops[step.from_stop].stop_id, timetable.stops[step.to_stop].stop_id
        path, _, metres = footpaths.path(a, b)
        begin = now
        if index == 0 and len(steps) > 1 and isinstance(steps[1], Ride):
            begin = ride_times(timetable, steps[1])[0] - step.seconds  # leave as late as the first ride allows
        legs.append(JourneyLeg("walk", a, b, timetable.local(day, begin),
                               timetable.local(day, begin + step.seconds), stop_ids=path, walk_m=metres))
        now = begin + step.seconds
    return Journey(criteria, tuple(legs), price)


def departure_seconds(timetable: Timetable, steps: list[Step], start: int) -> int:
    """When the journey of ``steps`` must leave (its first ride's departure less the walk to it)."""
    if steps and isinstance(steps[0], Ride):
        return ride_times(timetable, steps[0])[0]
    if len(steps) > 1 and isinstance(steps[0], Walk) and isinstance(steps[1], Ride):
        return ride_times(timetable, steps[1])[0] - steps[0].seconds
    return start
