"""The transport network as plain, immutable data (no database)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Stop:
    id: str
    name: str
    lat: float | None
    lon: float | None
    zone_id: str | None = None
    town: str | None = None


@dataclass(frozen=True, slots=True)
class Pattern:
    """One direction of a route: stop ids and their offsets from the first departure."""

    route_id: str
    direction_id: int
    stop_ids: tuple[str, ...]
    offsets_s: tuple[int, ...]
    # A pattern derived from a timetable runs on its own; None means "as its route".
    headway_s: int | None = None
    first_departure_s: int | None = None
    last_departure_s: int | None = None

    def index_of(self, stop_id: str) -> int:
        return self.stop_ids.index(stop_id)


@dataclass(frozen=True, slots=True)
class Route:
    id: str
    operator_id: str
    short_name: str
    mode: str
    headway_s: int
    first_departure_s: int
    last_departure_s: int
    long_name: str = ""
    patterns: tuple[Pattern, ...] = ()

    def pattern_between(self, from_stop: str, to_stop: str) -> Pattern | None:
        """The direction in which ``from_stop`` comes before ``to_stop``."""
        for pattern in self.patterns:
            if from_stop in pattern.stop_ids and to_stop in pattern.stop_ids:
                if pattern.index_of(from_stop) < pattern.index_of(to_stop):
                    return pattern
        return None


@dataclass(frozen=True, slots=True)
class Walk:
    from_stop_id: str
    to_stop_id: str
    seconds: int


@dataclass(frozen=True, slots=True)
class Network:
    stops: dict[str, Stop]
    routes: dict[str, Route]
    walks: tuple[Walk, ...] = field(default=())

    def stops_between(self, route_id: str, from_stop: str, to_stop: str) -> tuple[str, ...] | None:
        """Stops travelled on ``route_id`` from ``from_stop`` to ``to_stop``, both included."""
        route = self.routes.get(route_id)
        if route is None:
            return None
        pattern = route.pattern_between(from_stop, to_stop)
        if pattern is None:
            return None
        return pattern.stop_ids[pattern.index_of(from_stop) : pattern.index_of(to_stop) + 1]
