"""The rider categories a passenger may choose under the active tariff, whatever its format.

Each engine keeps its categories in its own model (native format 1 and 2,
GTFS Fares v2; GTFS Fares v1 has none), so this is the one place that knows
where to look. The default category comes first: a rider who names none
travels as it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from fares.cache import pricing_context
from fares.engines import ZoneTariffEngine
from fares.gtfs.fares_v2 import FaresV2Engine
from fares.native.v2 import NativeV2Engine
from fares.price import FareEngine


@dataclass(frozen=True, slots=True)
class RiderChoice:
    id: str
    name: str
    is_default: bool


def _choices(categories: Iterable[Any]) -> tuple[RiderChoice, ...]:
    found = [RiderChoice(c.id, c.name or c.id, bool(c.is_default)) for c in categories]
    return tuple(sorted(found, key=lambda choice: not choice.is_default))  # stable: tariff order otherwise


def rider_choices(engine: FareEngine) -> tuple[RiderChoice, ...]:
    """Empty when the tariff has no categories (GTFS Fares v1): everybody pays the one fare."""
    if isinstance(engine, ZoneTariffEngine):
        return _choices(engine.tariff.rider_categories)
    if isinstance(engine, NativeV2Engine):
        return _choices(engine.model.rider_categories)
    if isinstance(engine, FaresV2Engine):
        return _choices(engine.fares.rider_categories.values())
    return ()


def active_rider_choices(session: Session) -> tuple[RiderChoice, ...]:
    """From the cached pricing context: no tariff is parsed again. ``NoFareFound`` when none is active."""
    return rider_choices(pricing_context(session).engine)
