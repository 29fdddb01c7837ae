"""The routing graph (networkx) built once from a ``Network``.

Nodes are stops ``("S", stop_id)`` and ride positions ``("R", route_id,
direction_id, index)``. Boarding edges cost half the headway (expected wait)
plus a boarding penalty, riding edges the run time, walking edges the walk;
alighting is free. One graph serves every criterion: a criterion only changes
the weight function.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import networkx as nx

from fares.network import Network

BOARDING_PENALTY_S = 60
TRANSFER_PENALTY_S = 3600  # for "fewest transfers": any boarding outweighs an hour of riding

StopNode = tuple[str, str]
Weight = Callable[[Any, Any, dict[str, Any]], float]


def stop_node(stop_id: str) -> StopNode:
    return ("S", stop_id)


def build_graph(network: Network) -> nx.DiGraph:
    graph = nx.DiGraph()
    for stop_id in network.stops:
        graph.add_node(stop_node(stop_id))
    for route in network.routes.values():
        wait = route.headway_s / 2
        for pattern in route.patterns:
            nodes = [("R", route.id, pattern.direction_id, i) for i in range(len(pattern.stop_ids))]
            for i, (node, stop_id) in enumerate(zip(nodes, pattern.stop_ids, strict=True)):
                if i < len(nodes) - 1:
                    graph.add_edge(stop_node(stop_id), node, kind="board", seconds=wait + BOARDING_PENALTY_S)
                    graph.add_edge(node, nodes[i + 1], kind="ride",
                                   seconds=pattern.offsets_s[i + 1] - pattern.offsets_s[i])
                if i > 0:
                    graph.add_edge(node, stop_node(stop_id), kind="alight", seconds=0)
    for walk in network.walks:
        graph.add_edge(stop_node(walk.from_stop_id), stop_node(walk.to_stop_id), kind="walk", seconds=walk.seconds)
    return graph


def fastest_weight(_u: Any, _v: Any, data: dict[str, Any]) -> float:
    return float(data["seconds"])


def fewest_transfers_weight(_u: Any, _v: Any, data: dict[str, Any]) -> float:
    extra = TRANSFER_PENALTY_S if data["kind"] == "board" else 0
    return float(data["seconds"]) + extra
