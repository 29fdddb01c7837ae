"""Does a fare cover a group of consecutive legs? One predicate per GTFS column, one lookup.

``transfer_duration`` ("Length of time in seconds before a transfer expires")
is read as: the fare is validated when the first leg departs, and every
transfer, i.e. boarding a later leg of the group, must happen no later than
``transfer_duration`` seconds after that departure (inclusive). The ride after
the last transfer may end later. It does not limit a group of one leg (with
``transfers=0`` the spec lets it state how long a ticket is valid; a single
leg is always within its own ticket). When a departure time it needs is
unknown, the limit cannot be shown to hold and the fare does not cover the group.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fares.gtfs.fares_v1.model import Fare, FaresV1


@dataclass(frozen=True, slots=True)
class Group:
    """What the spec looks at in the legs one fare would cover."""

    routes: frozenset[str]
    agencies: frozenset[str]
    origin: str | None  # zone of the first boarding stop
    destination: str | None  # zone of the last alighting stop
    zones: frozenset[str]  # every zone the legs pass through, origin and destination included
    transfers: int  # legs - 1
    elapsed: timedelta | None  # first leg's departure to the last leg's departure; None when unknown


def matches_routes(group: Group, fare: Fare) -> bool:
    """fare_rules.route_id: every route of the group is one of the fare's routes."""
    return not fare.routes or group.routes <= fare.routes


def matches_origin_destination(group: Group, fare: Fare) -> bool:
    """fare_rules.origin_id/destination_id: one of the fare's pairs, an empty side matching any zone."""
    if not fare.origin_destinations:
        return True
    pairs = fare.origin_destinations
    return ((group.origin, group.destination) in pairs or (group.origin, None) in pairs
            or (None, group.destination) in pairs)


def matches_contains(group: Group, fare: Fare) -> bool:
    """fare_rules.contains_id: the zones passed are exactly the fare's contains_id zones."""
    return not fare.contains or group.zones == fare.contains


def matches_agency(group: Group, fare: Fare) -> bool:
    """fare_attributes.agency_id: every route of the group belongs to the fare's agency."""
    agency_id = fare.attribute.agency_id
    return agency_id is None or group.agencies == {agency_id}


def matches_transfers(group: Group, fare: Fare) -> bool:
    """fare_attributes.transfers: 0, 1 or 2 transfers permitted; empty means unlimited."""
    limit = fare.attribute.transfers
    return limit is None or group.transfers <= limit


def matches_transfer_duration(group: Group, fare: Fare) -> bool:
    """fare_attributes.transfer_duration, as read in the module docstring."""
    limit = fare.attribute.transfer_duration_s
    if limit is None or group.transfers == 0:
        return True
    return group.elapsed is not None and group.elapsed <= timedelta(seconds=limit)


PREDICATES = (matches_routes, matches_origin_destination, matches_contains, matches_agency,
              matches_transfers, matches_transfer_duration)


def candidates(data: FaresV1, group: Group) -> frozenset[str]:
    """Fare ids that pass the route and origin/destination rules, from the indexes alone."""
    by_route = frozenset(data.fares) if not group.routes else None
    for route_id in group.routes:
        ids = data.by_route.get(route_id, frozenset())
        by_route = ids if by_route is None else by_route & ids
    route_ok = data.any_route | (by_route or frozenset())
    od = data.by_origin_destination
    od_ok = (data.any_origin_destination | od.get((group.origin, group.destination), frozenset())
             | od.get((group.origin, None), frozenset()) | od.get((None, group.destination), frozenset()))
    return route_ok & od_ok


def covering_fares(data: FaresV1, group: Group) -> list[Fare]:
    """Fares that cover the group, cheapest first; equal prices in fare_id order."""
    fares = (data.fares[fare_id] for fare_id in candidates(data, group))
    return sorted((f for f in fares if all(p(group, f) for p in PREDICATES)), key=lambda f: (f.price.minor, f.id))


def matched_rules(group: Group, fare: Fare) -> tuple[str, ...]:
    """The fare's rows that took part in covering the group, as readable text."""
    if not fare.rules:
        return (f"{fare.attribute.describe()} (no fare_rules: any route, any zone)",)
    out = []
    for rule in fare.rules:
        od = rule.origin_destination
        used = (
            (rule.route_id is not None and rule.route_id in group.routes)
            or (od is not None and od in {(group.origin, group.destination), (group.origin, None),
                                          (None, group.destination)})
            or rule.contains_id is not None
            or (rule.route_id is None and od is None)
        )
        if used:
            out.append(rule.describe())
    return tuple(out)
