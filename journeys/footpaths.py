"""Walking between stops, as a networkx graph, and the minimum change time at one stop.

Edges (seconds and metres): stops closer than ``fares.gtfs.network.WALK_RADIUS_M``
(across feeds too), the platforms of one station (``parent_station``), and
``transfers.txt`` rows between two stops (``min_transfer_time``, or the walk
for type 2 without one); a type 3 row between two stops forbids that walk.

RAPTOR relaxes footpaths once per round, so they must be **transitively
closed**: we precompute, once per network, every stop reachable within
``MAX_WALK_S`` (bounded Dijkstra from each stop in the networkx graph) into
flat arrays. The alternative, a bounded Dijkstra per improved stop in every
round of every query, would run in Python inside the hot loop; the closure
costs a few seconds and a few MB at build time and keeps the scan compiled.

At one stop, ``transfers.txt`` (rows naming only stops, from = to) sets the
change time: type 1 (timed) 0 s, type 2 its ``min_transfer_time``, type 3
no change at all, type 0 or no row ``MIN_CHANGE_S`` (the old planner's value).
Rows naming trips or routes are not applied (see the closing note of issue 12).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from fares.gtfs.basics import FeedBasics
from fares.gtfs.network import _station_walks, _transfer_walks, haversine_m, proximity_walks
from fares.gtfs.reader import RawFeed
from fares.network import Stop
from fares.validation import Problems

if TYPE_CHECKING:
    from journeys.timetable import Timetable

MIN_CHANGE_S = 120  # default minimum time to change vehicles at one stop (fares.routing.MIN_CHANGE_S)
MAX_WALK_S = 900  # the longest walk the closure keeps
FORBIDDEN = -1  # change_s of a stop where transfers.txt forbids changing


@dataclass(frozen=True, eq=False)
class Footpaths:
    graph: nx.DiGraph  # stop ids; edges carry ``seconds`` and ``metres`` (None without coordinates)
    change_s: np.ndarray  # int32 per timetable stop index; FORBIDDEN where no change is allowed
    walk_ptr: np.ndarray  # int32 [S+1]: closed footpaths from each stop ...
    walk_to: np.ndarray  # int32 ... to these stops
    walk_s: np.ndarray  # int32 ... taking these seconds

    def walks_from(self, stop: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.walk_ptr[stop], self.walk_ptr[stop + 1]
        return self.walk_to[lo:hi], self.walk_s[lo:hi]

    def path(self, from_stop_id: str, to_stop_id: str) -> tuple[tuple[str, ...], int, float | None]:
        """Stops, seconds and metres of the shortest walk (metres None when a link has no length)."""
        stops = tuple(nx.dijkstra_path(self.graph, from_stop_id, to_stop_id, weight="seconds"))
        seconds, metres = 0, 0.0
        known = True
        for a, b in zip(stops, stops[1:], strict=False):
            edge = self.graph.edges[a, b]
            seconds += edge["seconds"]
            if edge["metres"] is None:
                known = False
            else:
                metres += edge["metres"]
        return stops, seconds, round(metres, 1) if known else None


def _metres(a: Stop, b: Stop) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    return haversine_m(a.lat, a.lon, b.lat, b.lon)


def _same_stop_changes(raw: RawFeed, basics: FeedBasics, index: dict[str, int], change_s: np.ndarray) -> None:
    for row in raw.rows("transfers.txt"):
        stop_id = row.get("from_stop_id")
        if not stop_id or stop_id != row.get("to_stop_id") or stop_id not in index:
            continue
        if any(row.get(c) for c in ("from_route_id", "to_route_id", "from_trip_id", "to_trip_id")):
            continue
        kind, minimum = row.get("transfer_type") or "0", row.get("min_transfer_time")
        if kind == "3":
            change_s[index[stop_id]] = FORBIDDEN
        elif kind == "1":
            change_s[index[stop_id]] = 0
        elif kind == "2" and minimum.isdigit():
            change_s[index[stop_id]] = int(minimum)


def build_footpaths(feeds: Sequence[RawFeed], all_basics: Sequence[FeedBasics], timetable: Timetable,
                    problems: Problems) -> Footpaths:
    """Walks of the feeds' stops (``transfers.txt`` problems are reported to ``problems``)."""
    index = timetable.stop_index
    stops = {s.stop_id: Stop(s.stop_id, s.name, s.lat, s.lon) for s in timetable.stops}
    graph = nx.DiGraph()
    graph.add_nodes_from(stops)

    def link(a: str, b: str, seconds: int) -> None:
        if a in stops and b in stops and a != b:
            graph.add_edge(a, b, seconds=int(seconds), metres=_metres(stops[a], stops[b]))

    for (a, b), seconds in proximity_walks(stops.values()).items():
        link(a, b, seconds)
    forbidden: set[tuple[str, str]] = set()
    change_s = np.full(len(timetable.stops), MIN_CHANGE_S, dtype=np.int32)
    for raw, basics in zip(feeds, all_basics, strict=True):
        for (a, b), seconds in _station_walks(basics.stops).items():
            link(a, b, seconds)
        explicit, banned = _transfer_walks(raw, basics, problems)
        for (a, b), seconds in explicit.items():
            link(a, b, seconds)
        forbidden |= banned
        _same_stop_changes(raw, basics, index, change_s)
    graph.remove_edges_from([pair for pair in forbidden if graph.has_edge(*pair)])
    return close_footpaths(graph, timetable.stop_index, change_s, forbidden)


def close_footpaths(graph: nx.DiGraph, index: dict[str, int], change_s: np.ndarray,
                    forbidden: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
                    max_walk_s: int = MAX_WALK_S) -> Footpaths:
    """The transitive closure of ``graph`` within ``max_walk_s``, without the ``forbidden`` pairs."""
    ptr = np.zeros(len(index) + 1, dtype=np.int32)
    to: list[int] = []
    seconds: list[int] = []
    by_index = sorted(index.items(), key=lambda item: item[1])
    for stop_id, i in by_index:
        reach = nx.single_source_dijkstra_path_length(graph, stop_id, cutoff=max_walk_s, weight="seconds") \
            if stop_id in graph else {}
        for other, s in sorted(reach.items(), key=lambda item: index.get(item[0], -1)):
            if other != stop_id and other in index and (stop_id, other) not in forbidden:
                to.append(index[other])
                seconds.append(int(s))
        ptr[i + 1] = len(to)
    return Footpaths(graph, change_s, ptr, np.array(to, dtype=np.int32), np.array(seconds, dtype=np.int32))
