"""GTFS Fares v1 as plain data: fare classes (fare_attributes.txt) with their rules (fare_rules.txt).

How the rows of one ``fare_id`` combine (the reference describes each column,
not their combination; we read it as OpenTripPlanner's ``FareRuleSet`` does):

* ``route_id`` values of all its rows form one set: every route of the
  itinerary must be in it. No row with a route_id: any route.
* ``origin_id``/``destination_id`` of a row form one pair, an empty side
  matching any zone (``b,...,3,4`` and ``b,...,3,5``: from 3 to 4 or to 5).
  No row with an origin or a destination: any zones.
* ``contains_id`` values of all its rows form one set that must equal the set
  of zones the itinerary passes (``c,GRT,...,5|6|7``: "all contains_id zones
  must be matched"; an itinerary through 5 and 6 only does not get fare c).
* A fare without rows applies everywhere: fare_rules.txt is optional.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.money import Money

OriginDestination = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class FareAttribute:
    fare_id: str
    price: Money
    payment_method: int  # 0: paid on board, 1: before boarding (no effect on the price)
    transfers: int | None  # None: the empty value, unlimited transfers
    agency_id: str | None  # None: any agency (allowed only when the feed has one)
    transfer_duration_s: int | None
    line: int

    def describe(self) -> str:
        transfers = "unlimited" if self.transfers is None else str(self.transfers)
        text = f"fare_attributes.txt:{self.line} fare_id={self.fare_id} price={self.price} transfers={transfers}"
        if self.transfer_duration_s is not None:
            text += f" transfer_duration={self.transfer_duration_s}"
        if self.agency_id is not None:
            text += f" agency_id={self.agency_id}"
        return text


@dataclass(frozen=True, slots=True)
class FareRule:
    fare_id: str
    route_id: str | None
    origin_id: str | None
    destination_id: str | None
    contains_id: str | None
    line: int

    @property
    def origin_destination(self) -> OriginDestination | None:
        if self.origin_id is None and self.destination_id is None:
            return None
        return (self.origin_id, self.destination_id)

    def describe(self) -> str:
        parts = [f"fare_rules.txt:{self.line} fare_id={self.fare_id}"]
        for name, value in (("route_id", self.route_id), ("origin_id", self.origin_id),
                            ("destination_id", self.destination_id), ("contains_id", self.contains_id)):
            if value is not None:
                parts.append(f"{name}={value}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Fare:
    """One fare class and the conditions its rows add up to (see the module docstring)."""

    attribute: FareAttribute
    rules: tuple[FareRule, ...]
    routes: frozenset[str]  # empty: any route
    origin_destinations: frozenset[OriginDestination]  # empty: any origin and destination
    contains: frozenset[str]  # empty: contains_id not used

    @classmethod
    def gather(cls, attribute: FareAttribute, rules: Iterable[FareRule]) -> Fare:
        rows = tuple(sorted(rules, key=lambda r: r.line))
        return cls(
            attribute,
            rows,
            frozenset(r.route_id for r in rows if r.route_id is not None),
            frozenset(od for r in rows if (od := r.origin_destination) is not None),
            frozenset(r.contains_id for r in rows if r.contains_id is not None),
        )

    @property
    def id(self) -> str:
        return self.attribute.fare_id

    @property
    def price(self) -> Money:
        return self.attribute.price


@dataclass(frozen=True, slots=True)
class FaresV1:
    """The fares of one feed, indexed once for the pricing path.

    ``by_route[r]`` holds the fares whose route_id rows name ``r``; ``any_route``
    those without route_id rows. ``by_origin_destination`` and
    ``any_origin_destination`` do the same for the origin/destination pairs.
    """

    currency: str
    fares: Mapping[str, Fare]
    by_route: Mapping[str, frozenset[str]]
    any_route: frozenset[str]
    by_origin_destination: Mapping[OriginDestination, frozenset[str]]
    any_origin_destination: frozenset[str]

    @classmethod
    def index(cls, currency: str, fares: Iterable[Fare]) -> FaresV1:
        by_id = {fare.id: fare for fare in fares}
        by_route: dict[str, set[str]] = defaultdict(set)
        by_od: dict[OriginDestination, set[str]] = defaultdict(set)
        for fare in by_id.values():
            for route_id in fare.routes:
                by_route[route_id].add(fare.id)
            for od in fare.origin_destinations:
                by_od[od].add(fare.id)
        return cls(
            currency,
            by_id,
            {route_id: frozenset(ids) for route_id, ids in by_route.items()},
            frozenset(f.id for f in by_id.values() if not f.routes),
            {od: frozenset(ids) for od, ids in by_od.items()},
            frozenset(f.id for f in by_id.values() if not f.origin_destinations),
        )
