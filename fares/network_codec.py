"""A network as plain JSON data, to keep it with the tariff version that brought it."""
from __future__ import annotations

from typing import Any

from fares.network import Network, Pattern, Route, Stop, Walk


def network_to_dict(network: Network) -> dict[str, Any]:
    return {
        "stops": [[s.id, s.name, s.lat, s.lon, s.zone_id, s.town] for s in network.stops.values()],
        "routes": [
            {"id": r.id, "operator_id": r.operator_id, "short_name": r.short_name, "long_name": r.long_name,
             "mode": r.mode, "headway_s": r.headway_s, "first_departure_s": r.first_departure_s,
             "last_departure_s": r.last_departure_s,
             "patterns": [[p.direction_id, list(p.stop_ids), list(p.offsets_s), p.headway_s, p.first_departure_s,
                           p.last_departure_s] for p in r.patterns]}
            for r in network.routes.values()
        ],
        "walks": [[w.from_stop_id, w.to_stop_id, w.seconds] for w in network.walks],
    }


def network_from_dict(data: dict[str, Any]) -> Network:
    stops = {row[0]: Stop(*row) for row in data["stops"]}
    routes = {
        r["id"]: Route(
            id=r["id"], operator_id=r["operator_id"], short_name=r["short_name"], mode=r["mode"],
            headway_s=r["headway_s"], first_departure_s=r["first_departure_s"],
            last_departure_s=r["last_departure_s"], long_name=r["long_name"],
            patterns=tuple(Pattern(r["id"], direction, tuple(stop_ids), tuple(offsets), headway, first, last)
                           for direction, stop_ids, offsets, headway, first, last in r["patterns"]),
        )
        for r in data["routes"]
    }
    walks = tuple(Walk(*row) for row in data["walks"])
    return Network(stops, routes, walks)
