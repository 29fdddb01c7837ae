"""Zone fares: by the number of zones a trip touches, or by a from-zone/to-zone matrix."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.money import Money
from fares.native.v2.trip import TripFacts


@dataclass(frozen=True, slots=True)
class ZoneCountFare:
    """``amounts[n - 1]`` is the fare for ``n`` distinct zones; more zones than listed pay the last entry.

    Every stop the trip passes needs a zone, as in format version 1.
    """

    amounts: tuple[int, ...]
    currency: str

    def amount(self, trip: TripFacts) -> int | None:
        if not trip.all_zoned or not trip.zones:
            return None
        return self.amounts[min(len(trip.zones), len(self.amounts)) - 1]

    def describe(self, trip: TripFacts) -> str:
        count = len(trip.zones)
        word = "zone" if count == 1 else "zones"
        money = Money(self.amount(trip) or 0, self.currency)
        return f"zone count: {count} {word} ({', '.join(trip.zones)}) = {money}"


@dataclass(frozen=True, slots=True)
class ZoneMatrixFare:
    """The zone of the first stop boarded and of the last stop left pick a cell; no cell, no fare.

    ``cells`` already holds the mirrored cells of a symmetric matrix.
    """

    cells: Mapping[tuple[str, str], int]
    currency: str
    symmetric: bool

    def amount(self, trip: TripFacts) -> int | None:
        if trip.from_zone is None or trip.to_zone is None:
            return None
        return self.cells.get((trip.from_zone, trip.to_zone))

    def describe(self, trip: TripFacts) -> str:
        money = Money(self.amount(trip) or 0, self.currency)
        return f"zone matrix: {trip.from_zone} -> {trip.to_zone} = {money}"
