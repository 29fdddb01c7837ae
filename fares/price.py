"""What every fare engine takes and gives: itinerary legs in, an explained ``Price`` out.

Engines (the native zone tariff, GTFS Fares v1, GTFS Fares v2) differ in how
they match rules; they all answer with the same ``Price`` so that ordering,
clearing and the API treat them alike.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.errors import NoFareFound
from core.money import Money


@dataclass(frozen=True, slots=True)
class ItineraryLeg:
    """One ride. Times are timezone-aware (local times of the network) or None when unknown."""

    route_id: str
    from_stop_id: str
    to_stop_id: str
    departure: datetime | None = None
    arrival: datetime | None = None


@dataclass(frozen=True, slots=True)
class PricedLeg:
    index: int
    operator_id: str | None
    route_id: str
    from_stop_id: str
    to_stop_id: str
    zones: tuple[str, ...]  # fare zones or areas the leg touches, in travel order
    standalone: Money | None  # the leg priced alone: the weight for apportionment; None if it has no fare
    rules: tuple[str, ...] = ()  # ids of the rules that matched this leg


@dataclass(frozen=True, slots=True)
class OperatorAmount:
    operator_id: str
    amount: Money
    standalone: Money


@dataclass(frozen=True, slots=True)
class Product:
    """A fare product the passenger needs, and the legs it pays for."""

    id: str
    name: str
    amount: Money
    leg_indexes: tuple[int, ...]
    rider_category: str | None = None
    fare_media: str | None = None
    rules: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Price:
    """``total`` is None when some leg cannot be priced (``unpriced_legs`` says which)."""

    currency: str
    total: Money | None
    rider_category: str | None
    products: tuple[Product, ...]
    legs: tuple[PricedLeg, ...]
    operators: tuple[OperatorAmount, ...]
    rules: tuple[str, ...]
    tariff_version_id: int | None = None
    unpriced_legs: tuple[int, ...] = ()


def unknown_rider_category(category_id: str | None, known: Sequence[str]) -> NoFareFound:
    """The one error every engine gives for a rider category its tariff does not have."""
    return NoFareFound(f"unknown rider category {category_id!r} (known: {', '.join(known) or 'none'})",
                       details={"field": "rider_category"}, code="unknown_rider_category")


class FareEngine(Protocol):
    currency: str

    def rider_category(self, rider_category: str | None) -> str | None:
        """The category that applies (the default for None); ``NoFareFound`` for an unknown one."""
        ...

    def price(
        self, legs: Sequence[ItineraryLeg], rider_category: str | None = None, fare_media: str | None = None
    ) -> Price: ...


def split_by_operator(total: Money, legs: Sequence[PricedLeg]) -> tuple[OperatorAmount, ...]:
    """Divide ``total`` among the legs' operators in proportion to their standalone fares.

    Operators are ordered by id, so the largest-remainder tie-break of
    ``core.money.split_minor`` gives the same split every time. Legs without an
    operator or without a standalone fare carry no weight; when no leg has
    one, the operators share equally.
    """
    weights: dict[str, Money] = defaultdict(lambda: Money.zero(total.currency))
    for leg in legs:
        if leg.operator_id is None:
            continue
        weights[leg.operator_id] += leg.standalone if leg.standalone is not None else Money.zero(total.currency)
    operator_ids = sorted(weights)
    if not operator_ids:
        return ()
    shares = total.allocate([weights[op].minor for op in operator_ids])
    return tuple(OperatorAmount(op, share, weights[op]) for op, share in zip(operator_ids, shares, strict=True))
