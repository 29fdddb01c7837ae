"""Journey planning: paths on the routing graph turned into timed legs.

Each pattern runs at a regular headway from its first to its last departure
(``fares.graph.pattern_service``), so a leg departs at the first run that
reaches the boarding stop at or after the time the passenger is there. Runs of
the previous service day count too: GTFS times past 24:00:00 make a last
departure after midnight. A change of vehicle needs ``MIN_CHANGE_S``;
consecutive walking links are one walk.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import networkx as nx

from core.errors import NoJourneyFound, NotFound
from fares.graph import (
    TRANSFER_PENALTY_S,
    Weight,
    fastest_weight,
    fewest_transfers_weight,
    pattern_service,
    search_for,
    stop_node,
)
from fares.network import Network, Pattern, Route

MIN_CHANGE_S = 120
CRITERIA: dict[str, Weight] = {"fastest": fastest_weight, "fewest_transfers": fewest_transfers_weight}
# the same criteria as a penalty per boarding, for ``fares.graph.Search``
BOARDING_PENALTIES: dict[str, float] = {"fastest": 0.0, "fewest_transfers": float(TRANSFER_PENALTY_S)}


@dataclass(frozen=True, slots=True)
class JourneyLeg:
    mode: str
    from_stop_id: str
    to_stop_id: str
    departure: datetime
    arrival: datetime
    operator_id: str | None = None
    route_id: str | None = None
    route_name: str | None = None
    stop_ids: tuple[str, ...] = ()

    @property
    def is_ride(self) -> bool:
        return self.route_id is not None


@dataclass(frozen=True, slots=True)
class Journey:
    criteria: tuple[str, ...]
    legs: tuple[JourneyLeg, ...]

    @property
    def departure(self) -> datetime:
        return self.legs[0].departure

    @property
    def arrival(self) -> datetime:
        return self.legs[-1].arrival

    @property
    def transfers(self) -> int:
        return max(0, sum(1 for leg in self.legs if leg.is_ride) - 1)

    def signature(self) -> tuple[Any, ...]:
        return tuple((leg.route_id, leg.from_stop_id, leg.to_stop_id) for leg in self.legs)


def _next_departure(route: Route, pattern: Pattern, offset_s: int, not_before: datetime) -> datetime:
    """The first run of ``pattern`` that is at the stop (``offset_s`` into the run) at or after ``not_before``."""
    headway_s, first_s, last_s = pattern_service(route, pattern)
    midnight = not_before.replace(hour=0, minute=0, second=0, microsecond=0)
    best: datetime | None = None
    for day in (-1, 0, 1):  # yesterday's service may still run after midnight (times past 24:00:00)
        base = midnight + timedelta(days=day)
        # exact ceiling on timedeltas: int() of float seconds rounded a fraction of a second down
        late = not_before - base - timedelta(seconds=offset_s + first_s)
        runs = max(0, -(-late // timedelta(seconds=headway_s)))
        start_s = first_s + runs * headway_s
        if start_s <= last_s:
            candidate = base + timedelta(seconds=start_s + offset_s)
            if best is None or candidate < best:
                best = candidate
    if best is None:
        raise NoJourneyFound(f"route {route.short_name} does not run after {not_before.isoformat()}")
    return best


def journey_legs(path: Sequence[Any], graph: nx.DiGraph, network: Network, at: datetime) -> tuple[JourneyLeg, ...]:
    """The timed legs of a path of graph nodes, leaving at ``at``."""
    legs: list[JourneyLeg] = []
    now = at
    i = 0
    while i < len(path) - 1:
        node, nxt = path[i], path[i + 1]
        if node[0] == "S" and nxt[0] == "S":
            chain = [node[1]]
            walk_s = 0
            while i < len(path) - 1 and path[i][0] == "S" and path[i + 1][0] == "S":
                walk_s += int(graph.edges[path[i], path[i + 1]]["seconds"])
                chain.append(path[i + 1][1])
                i += 1
            legs.append(JourneyLeg("walk", chain[0], chain[-1], now, now + timedelta(seconds=walk_s),
                                   stop_ids=tuple(chain)))
            now += timedelta(seconds=walk_s)
            continue
        if node[0] == "S" and nxt[0] == "R":
            _, route_id, pattern_no, first_index = nxt
            j = i + 1
            while j + 1 < len(path) and path[j + 1][0] == "R":
                j += 1
            last_index = path[j][3]
            route = network.routes[route_id]
            pattern = route.patterns[pattern_no]
            if legs and legs[-1].is_ride:
                now += timedelta(seconds=MIN_CHANGE_S)
            departure = _next_departure(route, pattern, pattern.offsets_s[first_index], now)
            arrival = departure + timedelta(seconds=pattern.offsets_s[last_index] - pattern.offsets_s[first_index])
            legs.append(
                JourneyLeg(
                    mode=route.mode,
                    from_stop_id=pattern.stop_ids[first_index],
                    to_stop_id=pattern.stop_ids[last_index],
                    departure=departure,
                    arrival=arrival,
                    operator_id=route.operator_id,
                    route_id=route.id,
                    route_name=route.short_name,
                    stop_ids=pattern.stop_ids[first_index : last_index + 1],
                )
            )
            now = arrival
            i = j + 1  # the alight edge leads back to a stop node
            continue
        i += 1
    return tuple(legs)


def check_stops(network: Network, from_stop: str, to_stop: str) -> None:
    for stop_id, field in ((from_stop, "from"), (to_stop, "to")):
        if stop_id not in network.stops:
            raise NotFound(f"unknown stop {stop_id!r}", details={"field": field})
    if from_stop == to_stop:
        raise NoJourneyFound("origin and destination are the same stop", details={"field": "to"})


def plan_journeys(graph: nx.DiGraph, network: Network, from_stop: str, to_stop: str, at: datetime) -> list[Journey]:
    """Options that are fastest and that have the fewest transfers (on average waits), earliest arrival first.

    For fare-aware options (cheapest) and a graph kept between requests, see ``fares.planner``.
    """
    check_stops(network, from_stop, to_stop)
    search = search_for(graph)
    found: dict[tuple[Any, ...], Journey] = {}
    for name, penalty in BOARDING_PENALTIES.items():
        result = search.shortest_path(stop_node(from_stop), stop_node(to_stop), penalty)
        if result is None:
            continue
        journey = Journey((name,), journey_legs(result[1], graph, network, at))
        if journey.signature() in found:
            known = found[journey.signature()]
            found[journey.signature()] = Journey(known.criteria + (name,), known.legs)
        else:
            found[journey.signature()] = journey
    if not found:
        raise NoJourneyFound(f"no connection from {from_stop} to {to_stop}")
    return sorted(found.values(), key=lambda j: (j.arrival, j.transfers))
