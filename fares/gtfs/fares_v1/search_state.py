"""The fare state of a partial journey under GTFS Fares v1: the cheapest cover so far and the fares still in force.

``FaresV1Engine.price`` covers the legs with consecutive groups, one fare each
(the cheapest fare whose ``fare_rules`` and ``fare_attributes`` cover the
group), and takes the cheapest cover with every leg priced
(``fares.gtfs.fares_v1.cover``). Run forward, a partial journey needs:

* ``paid``: the cheapest cover of the rides so far (a new fare may start with
  the next ride: v1 has no discount from one fare to the next);
* one **open group** per start position whose fare may still cover the next
  rides as well (the fare *in force*): its routes and agencies, its origin
  zone, the zones passed (only when some fare uses ``contains_id``), its
  transfers so far and its first departure (``transfer_duration`` is measured
  from it), with the cheapest cover of the rides before it. A group is
  forgotten once no fare could cover it with one more ride (``transfers``
  spent, ``transfer_duration`` over at the ride's arrival, a route, agency,
  origin or zone no fare of the group's kind allows).

Dominance: ``a`` dominates ``b`` when ``a`` paid no more and every open group
of ``b`` is matched by one of ``a`` with no higher cost before it, the same
origin and zones, and an order at least as good (``fare_rules`` and
``fare_attributes``): a subset of routes and agencies (every fare that covers
``b``'s group with more rides covers ``a``'s), no more transfers, and a later
first departure (``transfer_duration`` is measured from it). Otherwise the two
stay incomparable.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from fares.gtfs.fares_v1.engine import FaresV1Engine, LegZones
from fares.gtfs.fares_v1.matching import Group, covering_fares, matches_agency
from fares.gtfs.fares_v1.model import Fare
from fares.price import ItineraryLeg, Price


@dataclass(frozen=True, slots=True)
class _Open:
    routes: frozenset[str]
    agencies: frozenset[str]
    origin: str | None
    zones: frozenset[str]  # empty when no fare uses contains_id
    transfers: int
    first: datetime | None  # the first departure; None when unknown


@dataclass(frozen=True, slots=True)
class FaresV1FareState:
    """``groups``: (open group, cheapest cover of the rides before it); ``paid_minor`` None with no cover yet.

    ``alive`` is false once no cover can ever price the journey (a ride on a route the feed does not know).
    """

    paid_minor: int | None
    groups: tuple[tuple[_Open, int], ...]
    alive: bool = True


_DEAD = FaresV1FareState(None, (), False)


def _later_or_same(a: datetime | None, b: datetime | None) -> bool:
    return b is None or (a is not None and a >= b)


class FaresV1FareSearch:
    """``fares.fare_search.FareSearch`` for a ``FaresV1Engine``: exact, incremental, dominance by the open groups."""

    def __init__(self, engine: FaresV1Engine, rider_category: str | None = None,
                 fare_media: str | None = None) -> None:
        self.engine = engine
        self.currency = engine.currency
        self.rider_category = rider_category
        self.fare_media = fare_media
        self._fares: tuple[Fare, ...] = tuple(engine.data.fares.values())
        self._uses_contains = any(fare.contains for fare in self._fares)
        self._uses_od = any(fare.origin_destinations for fare in self._fares)
        self._legs: dict[tuple[str, str, str], LegZones] = {}

    def initial(self) -> FaresV1FareState:
        return FaresV1FareState(0, ())

    def extend(self, state: FaresV1FareState, ride: ItineraryLeg) -> FaresV1FareState:
        if not state.alive:
            return _DEAD
        leg = self._leg(ride)
        if leg.route is None:
            return _DEAD  # no group can hold this ride: the engine leaves it unpriced, so the journey too
        route, agency = leg.route.id, leg.route.agency_id
        zones = frozenset(leg.zones) if self._uses_contains else frozenset()
        now = ride.arrival or ride.departure
        candidates: list[tuple[_Open, int]] = []
        for group, before in state.groups:
            candidates.append((_Open(group.routes | {route}, group.agencies | {agency}, group.origin,
                                     group.zones | zones, group.transfers + 1, group.first), before))
        if state.paid_minor is not None:
            candidates.append((_Open(frozenset({route}), frozenset({agency}),
                                     leg.origin if self._uses_od else None, zones, 0, ride.departure),
                               state.paid_minor))
        paid: int | None = None
        kept: dict[_Open, int] = {}
        for group, before in candidates:
            fares = covering_fares(self.engine.data, self._group(group, leg, ride))
            if fares:
                total = before + fares[0].price.minor
                paid = total if paid is None else min(paid, total)
            if self._may_grow(group, now) and before < kept.get(group, before + 1):
                kept[group] = before
        groups = tuple(sorted(kept.items(), key=lambda item: item[1]))
        pruned: list[tuple[_Open, int]] = []
        for group, before in groups:
            if not any(b <= before and self._covers(g, group) for g, b in pruned):
                pruned.append((group, before))
        if paid is None and not pruned:
            return _DEAD  # nothing covers the rides, and no group can grow into a cover
        return FaresV1FareState(paid, tuple(pruned))

    def dominates(self, a: FaresV1FareState, b: FaresV1FareState) -> bool:
        if not b.alive:
            return True
        if not a.alive:
            return False
        if b.paid_minor is not None and (a.paid_minor is None or a.paid_minor > b.paid_minor):
            return False
        for group, before in b.groups:
            if not any(ba <= before and self._covers(ga, group) for ga, ba in a.groups):
                return False
        return True

    def price(self, rides: Sequence[ItineraryLeg]) -> Price:
        return self.engine.price(rides, self.rider_category, self.fare_media)

    def _leg(self, ride: ItineraryLeg) -> LegZones:
        key = (ride.route_id, ride.from_stop_id, ride.to_stop_id)
        found = self._legs.get(key)
        if found is None:
            if len(self._legs) >= 100_000:
                self._legs.clear()
            found = self._legs[key] = self.engine.leg_zones(ItineraryLeg(*key))
        return found

    def _group(self, group: _Open, leg: LegZones, ride: ItineraryLeg) -> Group:
        """The group as ``covering_fares`` reads it, ending with this ride."""
        elapsed: timedelta | None = None
        if group.first is not None and ride.departure is not None:
            elapsed = ride.departure - group.first
        zones = group.zones if self._uses_contains else frozenset()
        return Group(group.routes, group.agencies, group.origin if self._uses_od else None,
                     leg.destination if self._uses_od else None, zones, group.transfers, elapsed)

    def _may_grow(self, group: _Open, now: datetime | None) -> bool:
        """Whether some fare could still cover the group with one more ride (each condition only tightens)."""
        probe = Group(group.routes, group.agencies, group.origin, None, group.zones, group.transfers + 1, None)
        for fare in self._fares:
            attribute = fare.attribute
            if attribute.transfers is not None and group.transfers + 1 > attribute.transfers:
                continue
            if attribute.transfer_duration_s is not None:
                if group.first is None:
                    continue
                if now is not None and (now - group.first).total_seconds() > attribute.transfer_duration_s:
                    continue
            if fare.routes and not group.routes <= fare.routes:
                continue
            if attribute.agency_id is not None and not matches_agency(probe, fare):
                continue
            if fare.contains and not group.zones <= fare.contains:
                continue
            if fare.origin_destinations and not any(origin in (group.origin, None)
                                                    for origin, _ in fare.origin_destinations):
                continue
            return True
        return False

    def _covers(self, a: _Open, b: _Open) -> bool:
        """Every fare that covers ``b`` with any further rides covers ``a`` with the same rides."""
        return (a.origin == b.origin and a.zones == b.zones and a.routes <= b.routes and a.agencies <= b.agencies
                and a.transfers <= b.transfers and _later_or_same(a.first, b.first))

