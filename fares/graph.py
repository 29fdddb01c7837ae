"""The routing graph (networkx) built once from a ``Network``.

Nodes are stops ``("S", stop_id)`` and ride positions ``("R", route_id,
pattern, index)``, where ``pattern`` is the position of the pattern in
``route.patterns`` (equal to its direction_id when a route has one pattern per
direction; GTFS routes often have several, short turns and variants).
Boarding edges cost half the pattern's headway (expected wait) plus a boarding
penalty, riding edges the run time, walking edges the walk; alighting is free.
One graph serves every criterion: a criterion only changes the weight function.
Boarding edges also carry the ``operator`` and ``route`` so that a weight can
leave out an operator (return None: networkx then ignores the edge).
"""
from __future__ import annotations

import weakref
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import networkx as nx

from fares.network import Network, Pattern, Route

BOARDING_PENALTY_S = 60
TRANSFER_PENALTY_S = 3600  # for "fewest transfers": any boarding outweighs an hour of riding

StopNode = tuple[str, str]
RideNode = tuple[str, str, int, int]
Weight = Callable[[Any, Any, dict[str, Any]], float | None]


def stop_node(stop_id: str) -> StopNode:
    return ("S", stop_id)


def ride_node(route_id: str, pattern: int, index: int) -> RideNode:
    return ("R", route_id, pattern, index)


def pattern_service(route: Route, pattern: Pattern) -> tuple[int, int, int]:
    """Headway, first and last departure (from the pattern's first stop) of ``pattern``.

    A pattern derived from a timetable has its own; a pattern whose values
    are None runs as its route.
    """
    return (
        route.headway_s if pattern.headway_s is None else pattern.headway_s,
        route.first_departure_s if pattern.first_departure_s is None else pattern.first_departure_s,
        route.last_departure_s if pattern.last_departure_s is None else pattern.last_departure_s,
    )


def build_graph(network: Network) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(stop_node(stop_id) for stop_id in network.stops)
    edges: list[tuple[Any, Any, dict[str, Any]]] = []
    for route in network.routes.values():
        for k, pattern in enumerate(route.patterns):
            wait = pattern_service(route, pattern)[0] / 2
            nodes = [ride_node(route.id, k, i) for i in range(len(pattern.stop_ids))]
            offsets = pattern.offsets_s
            last = len(nodes) - 1
            for i, (node, stop_id) in enumerate(zip(nodes, pattern.stop_ids, strict=True)):
                if i < last:
                    edges.append((stop_node(stop_id), node, {"kind": "board", "seconds": wait + BOARDING_PENALTY_S,
                                                             "operator": route.operator_id, "route": route.id}))
                    edges.append((node, nodes[i + 1], {"kind": "ride", "seconds": offsets[i + 1] - offsets[i]}))
                if i > 0:
                    edges.append((node, stop_node(stop_id), {"kind": "alight", "seconds": 0}))
    for walk in network.walks:
        edges.append((stop_node(walk.from_stop_id), stop_node(walk.to_stop_id), {"kind": "walk",
                                                                                 "seconds": walk.seconds}))
    graph.add_edges_from(edges)
    return graph


def fastest_weight(_u: Any, _v: Any, data: dict[str, Any]) -> float:
    return float(data["seconds"])


def fewest_transfers_weight(_u: Any, _v: Any, data: dict[str, Any]) -> float:
    extra = TRANSFER_PENALTY_S if data["kind"] == "board" else 0
    return float(data["seconds"]) + extra


class Search:
    """The graph as integer adjacency lists, for many quick searches on one graph.

    ``nx.shortest_path`` calls a Python weight function on every edge it
    relaxes; here each weighting (seconds plus a penalty per boarding) is
    compiled once into tuples, and a bidirectional Dijkstra stops as soon as
    the two frontiers cannot improve the best meeting (sum of the heap tops).
    Boarding edges keep their operator so that a search can leave operators out.
    Results are shortest paths of the same weight as networkx's (ties may differ).
    """

    def __init__(self, graph: nx.DiGraph) -> None:
        self.nodes: list[Any] = list(graph.nodes)
        self.index: dict[Any, int] = {node: i for i, node in enumerate(self.nodes)}
        self.operators: dict[str, int] = {}
        self._edges: list[tuple[int, int, float, int]] = []  # u, v, seconds, operator (-1: not a boarding)
        for u, v, data in graph.edges(data=True):
            op = -1
            if data.get("kind") == "board":
                op = self.operators.setdefault(str(data.get("operator")), len(self.operators))
            self._edges.append((self.index[u], self.index[v], float(data["seconds"]), op))
        self._compiled: dict[float, tuple[list[tuple[tuple[int, float, int], ...]], ...]] = {}

    def _adjacency(self, board_penalty_s: float) -> tuple[list[tuple[tuple[int, float, int], ...]], ...]:
        compiled = self._compiled.get(board_penalty_s)
        if compiled is None:
            forward: list[list[tuple[int, float, int]]] = [[] for _ in self.nodes]
            backward: list[list[tuple[int, float, int]]] = [[] for _ in self.nodes]
            for u, v, seconds, op in self._edges:
                weight = seconds + board_penalty_s if op >= 0 else seconds
                forward[u].append((v, weight, op))
                backward[v].append((u, weight, op))
            compiled = ([tuple(e) for e in forward], [tuple(e) for e in backward])
            self._compiled[board_penalty_s] = compiled
        return compiled

    def prepare(self, board_penalties_s: tuple[float, ...]) -> None:
        """Compile these weightings now rather than on the first search that needs them."""
        for penalty in board_penalties_s:
            self._adjacency(penalty)

    def shortest_path(self, source: Any, target: Any, board_penalty_s: float = 0.0,
                      without_operators: frozenset[str] = frozenset()) -> tuple[float, list[Any]] | None:
        """Cost and nodes of a least-cost path, or None; boardings cost ``seconds + board_penalty_s``."""
        s, t = self.index[source], self.index[target]
        if s == t:
            return 0.0, [source]
        excluded = {self.operators[o] for o in without_operators if o in self.operators}
        adjacency = self._adjacency(board_penalty_s)
        settled: tuple[dict[int, float], dict[int, float]] = ({}, {})
        best_seen: tuple[dict[int, float], dict[int, float]] = ({s: 0.0}, {t: 0.0})
        parent: tuple[dict[int, int], dict[int, int]] = ({s: -1}, {t: -1})
        fringe: tuple[list[tuple[float, int]], list[tuple[float, int]]] = ([(0.0, s)], [(0.0, t)])
        best, meet = float("inf"), -1
        side = 1
        while fringe[0] and fringe[1]:
            if fringe[0][0][0] + fringe[1][0][0] >= best:
                break
            side = 1 - side
            heap, done, seen, here, other_seen = fringe[side], settled[side], best_seen[side], parent[side], \
                best_seen[1 - side]
            d, u = heappop(heap)
            if u in done:
                continue
            done[u] = d
            for v, w, op in adjacency[side][u]:
                if op >= 0 and op in excluded:
                    continue
                dv = d + w
                if v in done:
                    continue
                known = seen.get(v)
                if known is None or dv < known:
                    seen[v] = dv
                    here[v] = u
                    heappush(heap, (dv, v))
                    there = other_seen.get(v)
                    if there is not None and dv + there < best:
                        best, meet = dv + there, v
        if meet < 0:
            return None
        path = []
        node = meet
        while node >= 0:
            path.append(node)
            node = parent[0][node]
        path.reverse()
        node = parent[1][meet]
        while node >= 0:
            path.append(node)
            node = parent[1][node]
        return best, [self.nodes[i] for i in path]


_searches: weakref.WeakKeyDictionary[nx.DiGraph, Search] = weakref.WeakKeyDictionary()


def search_for(graph: nx.DiGraph) -> Search:
    """The compiled search of ``graph``, made on first use and kept as long as the graph lives."""
    search = _searches.get(graph)
    if search is None:
        search = _searches[graph] = Search(graph)
    return search
