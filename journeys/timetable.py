"""The timetable as flat arrays, built once per network and shared read-only by every search.

Layout (after nigiri and the RAPTOR paper): a *RAPTOR route* is a set of trips
that call at the same stops in the same order and never overtake one another,
so at every stop the trips are in the same order and "the first trip that
leaves after t" is a search in one sorted column.

* ``route_stops[route_stop_ptr[r]:route_stop_ptr[r+1]]``: the stops of route r;
* the trips of route r are ``route_trip_ptr[r] .. route_trip_ptr[r+1]-1``
  (global trip indexes, sorted by departure);
* ``departures``/``arrivals[route_time_ptr[r] + t * n + i]``: trip t (local to
  the route) at its i-th stop, ``n`` the route's stop count, in seconds after
  the service day's "noon minus 12 h" (GTFS time; may pass 24:00:00);
* ``stop_route_ptr``/``stop_routes``/``stop_route_pos``: the routes calling at
  each stop and where.

A trip runs on the service days of ``trip_service``; its times past 24:00:00
belong to the previous service day, which is why a search on day d looks at
the trips of d - 1, d and d + 1 (``day_shifts``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from journeys.calendar import ServiceDays

DAY_OFFSETS = (-1, 0, 1)  # service days a search on day d looks at


@dataclass(frozen=True, slots=True)
class RouteInfo:
    """A GTFS route, as legs and fares need it."""

    route_id: str
    operator_id: str
    short_name: str
    mode: str


@dataclass(frozen=True, slots=True)
class StopInfo:
    stop_id: str
    name: str
    lat: float | None
    lon: float | None
    parent_station: str | None


@dataclass(frozen=True, eq=False)
class Timetable:
    timezone: str
    stops: tuple[StopInfo, ...]
    gtfs_routes: tuple[RouteInfo, ...]
    services: ServiceDays
    route_gtfs: np.ndarray  # int32 [R]: index into gtfs_routes
    route_stop_ptr: np.ndarray  # int32 [R+1]
    route_stops: np.ndarray  # int32
    route_trip_ptr: np.ndarray  # int32 [R+1]
    route_time_ptr: np.ndarray  # int64 [R]
    departures: np.ndarray  # int32
    arrivals: np.ndarray  # int32
    trip_service: np.ndarray  # int32 [T]
    trip_ids: tuple[str, ...]
    trip_headsigns: tuple[str, ...]
    stop_route_ptr: np.ndarray  # int32 [S+1]
    stop_routes: np.ndarray  # int32
    stop_route_pos: np.ndarray  # int32
    stop_index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.stop_index:
            self.stop_index.update({s.stop_id: i for i, s in enumerate(self.stops)})

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def route_count(self) -> int:
        return len(self.route_gtfs)

    @property
    def stop_time_count(self) -> int:
        return len(self.departures)

    def route_of_trip(self, trip: int) -> int:
        return int(np.searchsorted(self.route_trip_ptr, trip, side="right") - 1)

    def nbytes(self) -> int:
        """Bytes held by the arrays (the strings of ids, names and headsigns come on top)."""
        names = ("route_gtfs", "route_stop_ptr", "route_stops", "route_trip_ptr", "route_time_ptr", "departures",
                 "arrivals", "trip_service", "stop_route_ptr", "stop_routes", "stop_route_pos")
        return sum(getattr(self, name).nbytes for name in names) + self.services.active.nbytes

    # --- service days and times -----------------------------------------------------------------

    def service_base(self, day: date) -> datetime:
        """The origin of GTFS times on ``day`` (in UTC): noon minus 12 h, not midnight on days the clock changes."""
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=self.zone).astimezone(UTC)
        return noon - timedelta(hours=12)  # in UTC: aware arithmetic in one zone would be wall-clock arithmetic

    def day_shifts(self, day: date) -> tuple[np.ndarray, np.ndarray]:
        """For each of ``DAY_OFFSETS``: which trips run and the seconds from ``day``'s origin to theirs."""
        base = self.service_base(day)
        active = np.empty((len(DAY_OFFSETS), len(self.trip_service)), dtype=np.bool_)
        shifts = np.empty(len(DAY_OFFSETS), dtype=np.int64)
        for k, offset in enumerate(DAY_OFFSETS):
            other = day + timedelta(days=offset)
            active[k] = self.services.on(other)[self.trip_service] if len(self.trip_service) else False
            shifts[k] = int((self.service_base(other) - base).total_seconds())
        return active, shifts

    def local(self, day: date, seconds: int) -> datetime:
        """The aware datetime ``seconds`` after ``day``'s origin of GTFS times."""
        return (self.service_base(day) + timedelta(seconds=int(seconds))).astimezone(self.zone)

    def seconds_at(self, day: date, moment: datetime) -> int:
        """``moment`` (aware) as seconds after ``day``'s origin of GTFS times, rounded up to a whole second."""
        delta = moment.astimezone(UTC) - self.service_base(day)
        return -(-delta // timedelta(seconds=1))
