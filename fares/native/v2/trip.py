"""What a fare is computed from: the facts of one leg, and of the legs one ticket covers."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class LegFacts:
    """One ride, resolved on the network once per ``price`` call."""

    index: int
    route_id: str
    operator_id: str
    mode: str
    from_stop_id: str
    to_stop_id: str
    zones: tuple[str, ...]  # distinct fare zones of the stops passed, in travel order
    all_zoned: bool  # False when some stop passed has no zone
    from_zone: str | None
    to_zone: str | None
    distance_m: int
    departure: datetime | None  # local time of the tariff, or None when unknown


@dataclass(frozen=True, slots=True)
class TripFacts:
    """The legs one ticket covers, seen as one trip."""

    zones: tuple[str, ...]
    all_zoned: bool
    from_zone: str | None
    to_zone: str | None
    distance_m: int

    @classmethod
    def of(cls, legs: Sequence[LegFacts]) -> TripFacts:
        seen: dict[str, None] = {}
        for leg in legs:
            for zone in leg.zones:
                seen.setdefault(zone)
        return cls(
            zones=tuple(seen),
            all_zoned=all(leg.all_zoned for leg in legs),
            from_zone=legs[0].from_zone,
            to_zone=legs[-1].to_zone,
            distance_m=sum(leg.distance_m for leg in legs),
        )


class Fare(Protocol):
    """A fare kind: the adult amount in minor units for a trip, or None when it has none."""

    def amount(self, trip: TripFacts) -> int | None: ...

    def describe(self, trip: TripFacts) -> str: ...
