"""Flat fares: one amount whatever the trip."""
from __future__ import annotations

from dataclasses import dataclass

from core.money import Money
from fares.native.v2.trip import TripFacts


@dataclass(frozen=True, slots=True)
class FlatFare:
    amount_minor: int
    currency: str

    def amount(self, trip: TripFacts) -> int | None:
        return self.amount_minor

    def describe(self, trip: TripFacts) -> str:
        return f"flat fare {Money(self.amount_minor, self.currency)}"
