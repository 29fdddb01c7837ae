"""Distance fares: base + per km along the stops a trip passes, rounded to a step, then clamped.

The distance of a leg is the sum of great-circle (haversine) distances between
consecutive stops it passes, on a sphere of radius 6,371 km, rounded half up to
whole metres per leg. Money stays exact: ``base + per_km × metres / 1000`` is a
``Fraction`` of minor units until the one rounding to ``rounding.step``.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from core.errors import NoFareFound
from core.money import Money
from fares.native.v2.trip import TripFacts
from fares.network import Stop

EARTH_RADIUS_M = 6_371_000.0

UP, DOWN, HALF_UP = "up", "down", "half_up"


def haversine_m(a: Stop, b: Stop) -> float:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        missing = a.id if a.lat is None or a.lon is None else b.id
        raise NoFareFound(f"stop {missing} has no coordinates: a distance fare cannot be measured",
                          details={"stop_id": missing}, code="no_coordinates")
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    d_phi = phi2 - phi1
    d_lambda = math.radians(b.lon - a.lon)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def path_length_m(stops: Sequence[Stop]) -> int:
    """Whole metres along consecutive stops (half up)."""
    total = sum(haversine_m(a, b) for a, b in zip(stops, stops[1:], strict=False))
    return int(math.floor(total + 0.5))


def round_to_step(value: Fraction, step: int, mode: str) -> int:
    """Round minor units to a multiple of ``step`` minor units."""
    units = value / step
    if mode == UP:
        whole = math.ceil(units)
    elif mode == DOWN:
        whole = math.floor(units)
    else:
        whole = math.floor(units + Fraction(1, 2))
    return int(whole) * step


@dataclass(frozen=True, slots=True)
class DistanceFare:
    base: int  # minor units
    per_km: Fraction  # minor units per km
    step: int  # minor units
    mode: str  # up | down | half_up
    minimum: int | None
    maximum: int | None
    currency: str
    per_km_text: str = ""  # as written in the package, for explanations

    def exact(self, distance_m: int) -> Fraction:
        return self.base + self.per_km * Fraction(distance_m, 1000)

    def amount(self, trip: TripFacts) -> int | None:
        value = round_to_step(self.exact(trip.distance_m), self.step, self.mode)
        if self.minimum is not None:
            value = max(value, self.minimum)
        if self.maximum is not None:
            value = min(value, self.maximum)
        return value

    def describe(self, trip: TripFacts) -> str:
        def money(minor: int) -> str:
            return Money(minor, self.currency).format()

        parts = [
            f"distance {trip.distance_m / 1000:.3f} km: {money(self.base)} + {self.per_km_text} per km",
            f"rounded {self.mode.replace('_', ' ')} to {money(self.step)}",
        ]
        if self.minimum is not None:
            parts.append(f"minimum {money(self.minimum)}")
        if self.maximum is not None:
            parts.append(f"maximum {money(self.maximum)}")
        return ", ".join(parts) + f" = {Money(self.amount(trip) or 0, self.currency)}"
