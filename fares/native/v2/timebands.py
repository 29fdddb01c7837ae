"""Time bands (peak, off-peak, night) and the fare adjustments products attach to them.

A period holds on its weekdays from ``start`` (inclusive) to ``end`` (exclusive)
in the tariff's local time. A period whose end is not after its start runs
past midnight: ``22:00``-``04:00`` on ``fri`` also covers Saturday before 04:00.
A ticket's band is the band of its first leg's departure.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from fares.native.v2.trip import Fare, TripFacts

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def minutes(text: str) -> int:
    """``"06:30"`` -> 390; ``"24:00"`` -> 1440."""
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


@dataclass(frozen=True, slots=True)
class Period:
    days: frozenset[int]  # 0 = Monday, as datetime.weekday()
    start_s: int  # seconds after local midnight
    end_s: int

    def contains(self, local: datetime) -> bool:
        second = local.hour * 3600 + local.minute * 60 + local.second
        weekday = local.weekday()
        if self.start_s < self.end_s:
            return weekday in self.days and self.start_s <= second < self.end_s
        # past midnight: the evening part on a listed day, the early part on the day after one
        return (weekday in self.days and second >= self.start_s) or (
            (weekday - 1) % 7 in self.days and second < self.end_s
        )


@dataclass(frozen=True, slots=True)
class TimeBand:
    id: str
    name: str
    periods: tuple[Period, ...]

    def contains(self, local: datetime) -> bool:
        return any(period.contains(local) for period in self.periods)


@dataclass(frozen=True, slots=True)
class BandAdjustment:
    """Within ``band``: the base fare times ``multiplier`` (half up to the minor unit), or another fare."""

    band: str
    multiplier: Fraction | None = None
    fare: Fare | None = None
    multiplier_text: str = ""  # as written in the package, for explanations

    def apply(self, base: int | None, trip: TripFacts) -> int | None:
        if self.fare is not None:
            return self.fare.amount(trip)
        if base is None or self.multiplier is None:
            return None
        return scale_half_up(base, self.multiplier)

    def describe(self) -> str:
        if self.multiplier is not None:
            return f"x {self.multiplier_text}, rounded half up to the minor unit"
        return "the band's own fare"


def scale_half_up(minor: int, factor: Fraction) -> int:
    """``minor × factor`` rounded half up, as ``core.money.Money.scale`` does for amounts >= 0."""
    return math.floor(Fraction(factor) * minor + Fraction(1, 2))


def banded_amount(
    base: int | None,
    trip: TripFacts,
    departure: datetime | None,
    adjustments: Sequence[BandAdjustment],
    bands: Mapping[str, TimeBand],
) -> tuple[int | None, str | None]:
    """The amount and the band that set it (first listed adjustment whose band holds the departure).

    An unknown departure pays the highest of the base and every band's amount,
    so a ticket bought without a time is valid at any time; its band is ``"*"``.
    """
    if not adjustments:
        return base, None
    if departure is None:
        best, band = base, None
        for adjustment in adjustments:
            amount = adjustment.apply(base, trip)
            if amount is not None and (best is None or amount > best):
                best, band = amount, "*"
        return best, band
    for adjustment in adjustments:
        if bands[adjustment.band].contains(departure):
            return adjustment.apply(base, trip), adjustment.band
    return base, None
