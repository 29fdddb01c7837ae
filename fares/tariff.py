"""Tariff model for pricing: plain, immutable data built from a validated package."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from core.errors import NoFareFound
from core.money import Money
from fares.price import unknown_rider_category


@dataclass(frozen=True, slots=True)
class RiderCategory:
    id: str
    name: str
    factor: Fraction
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class ZoneTariff:
    """Zone-count tariff: the fare depends on how many distinct zones a journey touches.

    ``zone_fares[n - 1]`` is the fare for ``n`` zones; journeys through more
    zones than listed pay the last (highest) entry.
    """

    name: str
    currency: str
    zone_fares: tuple[int, ...]
    rider_categories: tuple[RiderCategory, ...]
    valid_from: date
    valid_to: date | None = None
    version_id: int | None = None

    def category(self, category_id: str | None) -> RiderCategory:
        if category_id is None:
            for category in self.rider_categories:
                if category.is_default:
                    return category
            return self.rider_categories[0]
        for category in self.rider_categories:
            if category.id == category_id:
                return category
        raise unknown_rider_category(category_id, [c.id for c in self.rider_categories])

    def zone_fare(self, zone_count: int, category: RiderCategory) -> Money:
        if zone_count < 1:
            raise NoFareFound("a journey touches at least one zone")
        base = self.zone_fares[min(zone_count, len(self.zone_fares)) - 1]
        return Money(base, self.currency).scale(category.factor)

    @classmethod
    def from_package(cls, package: dict[str, Any], version_id: int | None = None) -> ZoneTariff:
        """Build from a package that ``fares.native.schema`` already validated."""
        currency = package["currency"]
        fares = sorted(package["zone_fares"], key=lambda row: row["zones"])
        return cls(
            name=package["name"],
            currency=currency,
            zone_fares=tuple(Money.parse(row["amount"], currency).minor for row in fares),
            rider_categories=tuple(
                RiderCategory(
                    id=row["id"],
                    name=row.get("name") or row["id"],  # the schema loads a missing name as None
                    factor=Fraction(str(row.get("factor", "1"))),
                    is_default=bool(row.get("is_default", False)),
                )
                for row in package["rider_categories"]
            ),
            valid_from=date.fromisoformat(str(package["valid_from"])),
            valid_to=date.fromisoformat(str(package["valid_to"])) if package.get("valid_to") else None,
            version_id=version_id,
        )
