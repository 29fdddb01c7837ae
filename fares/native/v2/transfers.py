"""Transfers: free rides within one ticket, through fares over several tickets, discounted next tickets.

Every window is measured between boardings: from the departure of the first
leg to the departure of the later leg, inclusive (a boarding exactly at the
limit is inside). A window cannot be checked when a departure is unknown, so
such a transfer is not granted.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from core.money import Money
from fares.native.v2.apportionment import Apportionment
from fares.native.v2.timebands import BandAdjustment, scale_half_up
from fares.native.v2.trip import LegFacts


def within(first: datetime | None, later: datetime | None, window_s: int | None) -> bool:
    if window_s is None:
        return True
    if first is None or later is None:
        return False
    return (later - first).total_seconds() <= window_s


def same_route_ok(allow_same_route: bool, before: LegFacts, after: LegFacts) -> bool:
    return allow_same_route or before.route_id != after.route_id


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many consecutive legs in a product's scope one ticket of it covers (``transfers`` of a product)."""

    max_transfers: int | None  # None: any number
    window_s: int | None  # None: no time limit
    allow_same_route: bool = True

    def allows(self, legs: Sequence[LegFacts]) -> bool:
        if self.max_transfers is not None and len(legs) - 1 > self.max_transfers:
            return False
        if not within(legs[0].departure, legs[-1].departure, self.window_s):
            return False
        return all(same_route_ok(self.allow_same_route, a, b) for a, b in zip(legs, legs[1:], strict=False))

    def describe(self) -> str:
        count = "any number of transfers" if self.max_transfers is None else f"up to {self.max_transfers} transfer(s)"
        window = "" if self.window_s is None else f" within {self.window_s // 60} min of the first boarding"
        route = "" if self.allow_same_route else ", not back onto the same route"
        return f"{count}{window}{route}"


@dataclass(frozen=True, slots=True)
class ThroughFare:
    """Consecutive tickets of ``sequence`` (product ids, in order) cost ``amount`` in total instead of their sum."""

    id: str
    name: str
    sequence: tuple[str, ...]
    amount_minor: int
    window_s: int | None
    allow_same_route: bool = True
    adjustments: tuple[BandAdjustment, ...] = ()
    apportionment: Apportionment | None = None

    @property
    def discounted_transfers(self) -> int:
        return len(self.sequence) - 1


@dataclass(frozen=True, slots=True)
class TransferRule:
    """A ticket of ``to_products`` right after a ticket of ``from_products`` costs less.

    ``kind`` is ``factor`` (times the later ticket's amount, half up),
    ``amount_off`` (less, never below zero) or ``amount`` (that amount, or the
    ticket's own when lower: a transfer never costs more than no transfer).
    """

    id: str
    name: str
    from_products: frozenset[str]
    to_products: frozenset[str]
    window_s: int | None
    allow_same_route: bool
    kind: str
    factor: Fraction = Fraction(1)
    amount_minor: int = 0
    value_text: str = ""

    def price(self, amount: int) -> int:
        if self.kind == "factor":
            return min(amount, scale_half_up(amount, self.factor))
        if self.kind == "amount_off":
            return max(0, amount - self.amount_minor)
        return min(amount, self.amount_minor)

    def describe(self, currency: str) -> str:
        if self.kind == "factor":
            rule = f"factor {self.value_text} of the next ticket, rounded half up"
        elif self.kind == "amount_off":
            rule = f"{Money(self.amount_minor, currency)} off the next ticket"
        else:
            rule = f"the next ticket costs {Money(self.amount_minor, currency)}"
        window = "" if self.window_s is None else f" when boarded within {self.window_s // 60} min"
        return f"{rule}{window}"
