"""Which rides a bought pass covers (pure: no database, no clock).

A pass holding keeps the scope it was sold with (copied from the tariff at
purchase, so a later tariff cannot change what was paid for) and its validity
``[valid_from, valid_until)``. ``covers`` says whether a journey lies inside
both; ``uncovered_reasons`` says why not, one readable line per problem.

* **Scope**: every leg's operator, route and mode in the pass's lists (an
  absent list places no limit, as ``fares.native.v2.scope.Scope``), and for a
  zonal pass every zone the leg passes (intermediate stops too) among the
  pass's zones. A stop without a zone is outside every zonal pass.
* **Time**: a leg counts at its departure (boarding), or at ``at`` when its
  departure is unknown; boarding must fall inside the validity. A ride that
  boards before the pass ends may arrive after it (the usual rule for
  tickets). A pass that has ended at ``at``, or that is not active, covers
  nothing.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.errors import NoFareFound
from fares.native.v2.scope import Scope
from fares.network import Network
from fares.price import ItineraryLeg


@dataclass(frozen=True, slots=True)
class PassScope:
    operators: frozenset[str] | None = None
    routes: frozenset[str] | None = None
    modes: frozenset[str] | None = None
    zones: frozenset[str] | None = None  # None: every zone

    def rides(self) -> Scope:
        return Scope(self.operators, self.routes, self.modes)

    def to_json(self) -> dict[str, list[str] | None]:
        def listed(values: frozenset[str] | None) -> list[str] | None:
            return None if values is None else sorted(values)

        return {"operators": listed(self.operators), "routes": listed(self.routes), "modes": listed(self.modes),
                "zones": listed(self.zones)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> PassScope:
        def fset(key: str) -> frozenset[str] | None:
            values = raw.get(key)
            return None if values is None else frozenset(values)

        return cls(fset("operators"), fset("routes"), fset("modes"), fset("zones"))


@dataclass(frozen=True, slots=True)
class PassTerms:
    """What a holding allows: its scope, its validity and whether it is active."""

    scope: PassScope
    valid_from: datetime
    valid_until: datetime
    active: bool = True


@dataclass(frozen=True, slots=True)
class RideLeg:
    """One ride resolved on the network: who runs it and which zones it passes."""

    index: int
    operator_id: str
    route_id: str
    mode: str
    from_stop_id: str
    to_stop_id: str
    zones: tuple[str | None, ...]  # zone of every stop passed (None: the stop has none), distinct, in order
    departure: datetime | None = None
    arrival: datetime | None = None


def resolve_legs(network: Network, legs: Sequence[ItineraryLeg]) -> tuple[RideLeg, ...]:
    """Operator, mode and zones of each leg; ``NoFareFound`` for a route or stops that do not exist."""
    if not legs:
        raise NoFareFound("a journey needs at least one ride", details={"field": "legs"})
    out = []
    for index, leg in enumerate(legs):
        route = network.routes.get(leg.route_id)
        if route is None:
            raise NoFareFound(f"leg {index}: unknown route {leg.route_id!r}",
                              details={"leg": index, "field": "route_id"})
        stop_ids = network.stops_between(route.id, leg.from_stop_id, leg.to_stop_id)
        if stop_ids is None:
            raise NoFareFound(f"leg {index}: route {route.id} does not run from {leg.from_stop_id} to "
                              f"{leg.to_stop_id}", details={"leg": index, "field": "from_stop_id"})
        zones = tuple(dict.fromkeys(network.stops[stop_id].zone_id for stop_id in stop_ids))
        out.append(RideLeg(index, route.operator_id, route.id, route.mode, leg.from_stop_id, leg.to_stop_id, zones,
                           leg.departure, leg.arrival))
    return tuple(out)


def uncovered_reasons(terms: PassTerms, legs: Iterable[RideLeg], at: datetime) -> tuple[str, ...]:
    """Why the pass does not cover these legs at ``at``; empty when it does."""
    if not terms.active:
        return ("the pass is not active",)
    if at >= terms.valid_until:
        return (f"the pass expired at {terms.valid_until.isoformat()}",)
    reasons = []
    rides = terms.scope.rides()
    zones = terms.scope.zones
    for leg in legs:
        if not rides.matches(leg.operator_id, leg.route_id, leg.mode):
            reasons.append(f"leg {leg.index}: {leg.route_id} ({leg.operator_id}, {leg.mode}) is outside the pass's "
                           "operators, routes or modes")
        if zones is not None:
            outside = [zone or "(no zone)" for zone in leg.zones if zone is None or zone not in zones]
            if outside:
                reasons.append(f"leg {leg.index}: passes zone(s) {', '.join(outside)}, outside the pass's zones "
                               f"{', '.join(sorted(zones))}")
        boarding = leg.departure or at
        if not terms.valid_from <= boarding < terms.valid_until:
            reasons.append(f"leg {leg.index}: boards at {boarding.isoformat()}, outside the validity "
                           f"{terms.valid_from.isoformat()} to {terms.valid_until.isoformat()}")
    return tuple(reasons)


def covers(terms: PassTerms, legs: Iterable[RideLeg], at: datetime) -> bool:
    """Every leg inside the scope and boarded inside the validity, and the pass still valid at ``at``."""
    return not uncovered_reasons(terms, legs, at)


def operators_in_scope(scope: PassScope, network: Network) -> tuple[str, ...]:
    """Operators running at least one route in the scope that touches the pass's zones (sorted by id)."""
    rides = scope.rides()
    found = set()
    for route in network.routes.values():
        if route.operator_id in found or not rides.matches(route.operator_id, route.id, route.mode):
            continue
        if scope.zones is None or any(
            network.stops[stop_id].zone_id in scope.zones for pattern in route.patterns for stop_id in pattern.stop_ids
        ):
            found.add(route.operator_id)
    return tuple(sorted(found))
