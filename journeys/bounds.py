"""Lower bounds on the time from every stop to the target, to prune the multi-criteria search.

A label at stop p arriving at t cannot reach the target before t + bound(p),
where bound(p) is the shortest path to the target in a graph whose edges are
each route's fastest hop between consecutive stops and the closed footpaths
(waiting and change times left out, so it never overestimates). One Dijkstra
per query, compiled, on a reverse adjacency built once per timetable.
"""
from __future__ import annotations

import heapq
import weakref
from dataclasses import dataclass

import numba
import numpy as np

from journeys.footpaths import Footpaths
from journeys.timetable import Timetable

UNREACHABLE = np.int64(1) << np.int64(60)


@dataclass(frozen=True, slots=True)
class ReverseGraph:
    ptr: np.ndarray  # int32 [S+1]: edges into each stop ...
    source: np.ndarray  # int32 ... from these stops
    seconds: np.ndarray  # int32 ... taking at least this long


_GRAPHS: weakref.WeakKeyDictionary[Footpaths, ReverseGraph] = weakref.WeakKeyDictionary()


def reverse_graph(timetable: Timetable, footpaths: Footpaths) -> ReverseGraph:
    graph = _GRAPHS.get(footpaths)
    if graph is not None:
        return graph
    edges: dict[tuple[int, int], int] = {}
    for r in range(timetable.route_count):
        a, b = int(timetable.route_stop_ptr[r]), int(timetable.route_stop_ptr[r + 1])
        n = b - a
        trips = int(timetable.route_trip_ptr[r + 1] - timetable.route_trip_ptr[r])
        base = int(timetable.route_time_ptr[r])
        deps = timetable.departures[base:base + trips * n].reshape(trips, n)
        arrs = timetable.arrivals[base:base + trips * n].reshape(trips, n)
        hops = (arrs[:, 1:] - deps[:, :-1]).min(axis=0)
        stops = timetable.route_stops[a:b]
        for i in range(n - 1):
            key = (int(stops[i]), int(stops[i + 1]))
            edges[key] = min(edges.get(key, 1 << 30), max(0, int(hops[i])))
    for u in range(len(timetable.stops)):
        to, seconds = footpaths.walks_from(u)
        for v, s in zip(to.tolist(), seconds.tolist(), strict=True):
            edges[(u, v)] = min(edges.get((u, v), 1 << 30), s)
    order = sorted(edges, key=lambda e: (e[1], e[0]))
    ptr = np.zeros(len(timetable.stops) + 1, dtype=np.int32)
    np.add.at(ptr, np.array([v + 1 for _, v in order], dtype=np.int64), 1)
    graph = ReverseGraph(np.cumsum(ptr).astype(np.int32), np.array([u for u, _ in order], dtype=np.int32),
                         np.array([edges[e] for e in order], dtype=np.int32))
    _GRAPHS[footpaths] = graph
    return graph


@numba.njit(cache=True)
def _dijkstra(ptr, source, seconds, target):  # pragma: no cover
    n = len(ptr) - 1
    inf = np.int64(1) << np.int64(60)
    dist = np.full(n, inf, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    dist[target] = 0
    heap = [(np.int64(0), np.int64(target))]
    while heap:
        d, v = heapq.heappop(heap)
        if done[v]:
            continue
        done[v] = True
        for e in range(ptr[v], ptr[v + 1]):
            u = source[e]
            c = d + seconds[e]
            if c < dist[u]:
                dist[u] = c
                heapq.heappush(heap, (c, np.int64(u)))
    return dist


def bounds_to(timetable: Timetable, footpaths: Footpaths, target: int) -> np.ndarray:
    """Seconds at least needed from each stop to ``target`` (``UNREACHABLE`` where it cannot be reached)."""
    graph = reverse_graph(timetable, footpaths)
    return _dijkstra(graph.ptr, graph.source, graph.seconds, target)
