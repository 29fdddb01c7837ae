"""How far a leg goes: metres along the stops it passes (the passenger-km weight of apportionment).

The same measure as native distance fares (``fares.native.v2.distance``):
haversine between consecutive stops of the route's pattern, whole metres.
"""
from __future__ import annotations

from core.errors import NoFareFound
from fares.native.v2.distance import path_length_m
from fares.network import Network


def leg_distance_m(network: Network, route_id: str, from_stop_id: str, to_stop_id: str) -> int | None:
    """None when the route does not run between the stops or a stop has no coordinates."""
    stop_ids = network.stops_between(route_id, from_stop_id, to_stop_id)
    if stop_ids is None or any(stop_id not in network.stops for stop_id in stop_ids):
        return None
    try:
        return path_length_m([network.stops[stop_id] for stop_id in stop_ids])
    except NoFareFound:  # a stop without coordinates
        return None
