"""Loading areas.txt, stop_areas.txt, networks.txt and route_networks.txt."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from fares.gtfs.basics import FeedBasics, load_rows
from fares.gtfs.fares_v2.primary_keys import PrimaryKeys
from fares.gtfs.fares_v2.schemas import AreaSchema, NetworkSchema, RouteNetworkSchema, StopAreaSchema
from fares.gtfs.reader import RawFeed
from fares.validation import Problems


def load_areas(raw: RawFeed, basics: FeedBasics, problems: Problems
               ) -> tuple[dict[str, str | None], dict[str, frozenset[str]]]:
    """areas.txt, and the explicit stop -> areas assignments of stop_areas.txt (a stop may be in many areas)."""
    keys = PrimaryKeys("areas.txt", "area_id", problems)
    areas: dict[str, str | None] = {}

    def area(d: dict[str, Any], line: int) -> None:
        if keys.is_new(d["area_id"], line):
            areas[d["area_id"]] = d["area_name"]

    load_rows(raw, "areas.txt", AreaSchema(), problems, area)
    pairs = PrimaryKeys("stop_areas.txt", "stop_id", problems)
    stop_areas: dict[str, set[str]] = defaultdict(set)

    def stop_area(d: dict[str, Any], line: int) -> None:
        if d["area_id"] not in areas:
            problems.add("stop_areas.txt", line, "area_id", f"unknown area_id {d['area_id']!r}")
        elif d["stop_id"] not in basics.stops:
            problems.add("stop_areas.txt", line, "stop_id", f"unknown stop_id {d['stop_id']!r}")
        elif pairs.is_new((d["area_id"], d["stop_id"]), line):
            stop_areas[d["stop_id"]].add(d["area_id"])

    load_rows(raw, "stop_areas.txt", StopAreaSchema(), problems, stop_area)
    return areas, {stop_id: frozenset(ids) for stop_id, ids in stop_areas.items()}


def load_networks(raw: RawFeed, basics: FeedBasics, problems: Problems
                  ) -> tuple[dict[str, str | None], dict[str, str]]:
    """networks.txt and the route -> network map (route_networks.txt, or else routes.network_id).

    networks.txt and route_networks.txt are forbidden when routes.txt has a
    ``network_id`` column (a field exists once it is in the header, even empty).
    """
    routes_table = raw.table("routes.txt")
    routes_have_network = routes_table is not None and "network_id" in routes_table.columns
    for file in ("networks.txt", "route_networks.txt"):
        if routes_have_network and raw.has(file):
            problems.add(file, None, None, f"{file} is forbidden because routes.txt has a network_id column")
    from_routes = {route.id: route.network_id for route in basics.routes.values() if route.network_id}
    if routes_have_network:
        return {}, from_routes

    keys = PrimaryKeys("networks.txt", "network_id", problems)
    networks: dict[str, str | None] = {}

    def network(d: dict[str, Any], line: int) -> None:
        if keys.is_new(d["network_id"], line):
            networks[d["network_id"]] = d["network_name"]

    load_rows(raw, "networks.txt", NetworkSchema(), problems, network)
    route_keys = PrimaryKeys("route_networks.txt", "route_id", problems)
    route_networks: dict[str, str] = {}

    def route_network(d: dict[str, Any], line: int) -> None:
        if d["network_id"] not in networks:
            problems.add("route_networks.txt", line, "network_id", f"unknown network_id {d['network_id']!r}")
        elif d["route_id"] not in basics.routes:
            problems.add("route_networks.txt", line, "route_id", f"unknown route_id {d['route_id']!r}")
        elif route_keys.is_new(d["route_id"], line):
            route_networks[d["route_id"]] = d["network_id"]

    load_rows(raw, "route_networks.txt", RouteNetworkSchema(), problems, route_network)
    return networks, route_networks
