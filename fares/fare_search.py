"""What a journey search needs of a tariff while it searches: an exact fare state per partial journey.

A multi-criteria search (McRAPTOR) keeps, at every stop, only the partial
journeys that no other one beats. With price as a criterion "beats" must hold
for every way a journey may go on: a partial journey paid 4.80 whose transfer
discount is still open can end cheaper than one paid 4.50 without it. So the
search never compares prices itself; it asks the tariff's ``FareSearch``:

* ``extend(state, ride)`` gives the state after one more ride, and its
  ``paid_minor`` is the **exact** price of all rides so far, as the engine's
  ``price`` would give it (``None`` when they cannot be priced);
* ``dominates(a, b)`` is true only if for **every** continuation ``c`` (rides
  that depart after both partial journeys arrive) ``price(a + c) <= price(b +
  c)``. When the tariff cannot tell, it answers false: the two labels stay
  incomparable and both are kept (exact, only slower).

The final price of every option still comes from ``price``, the same engine
that prices explicit itineraries (``fares.price.FareEngine``).

This module is the one interface between the planner (``journeys``) and the
fare engines; ``fare_search_for`` picks the implementation for an engine:

* native format 2 (``NativeV2Engine``): ``fares.native.v2.search_state``;
* GTFS Fares v1 (``FaresV1Engine``): ``fares.gtfs.fares_v1.search_state``;
* native format 1 zone counts (``ZoneTariffEngine``): ``fares.zone_search_state``;
* any other engine (GTFS Fares v2 today, NeTEx): ``PrefixFareSearch``.

A state is immutable and hashable; ``extend`` never changes its argument, so
one state may be extended by many rides.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from core.errors import NoFareFound
from fares.engines import ZoneTariffEngine
from fares.gtfs.fares_v1.engine import FaresV1Engine
from fares.gtfs.fares_v1.search_state import FaresV1FareSearch
from fares.native.v2.engine import NativeV2Engine
from fares.native.v2.search_state import NativeV2FareSearch
from fares.price import FareEngine, ItineraryLeg, Price
from fares.zone_search_state import ZoneFareSearch


class FareState(Protocol):
    @property
    def paid_minor(self) -> int | None: ...


S = TypeVar("S")


class FareSearch(Protocol[S]):
    currency: str

    def initial(self) -> S: ...

    def extend(self, state: S, ride: ItineraryLeg) -> S: ...

    def dominates(self, a: S, b: S) -> bool: ...

    def price(self, rides: Sequence[ItineraryLeg]) -> Price: ...


@dataclass(frozen=True, slots=True)
class PrefixState:
    """The rides so far and their exact price: the state any engine can give (nothing is forgotten)."""

    rides: tuple[ItineraryLeg, ...]
    paid_minor: int | None


class PrefixFareSearch:
    """Exact for every engine, and the slowest: a state dominates another only with the same rides.

    Prices each prefix with the engine. Tariffs that know which part of a
    prefix still matters for the rest of the journey give a smaller state and
    a stronger ``dominates`` in an implementation of their own.
    """

    def __init__(self, engine: FareEngine, rider_category: str | None = None, fare_media: str | None = None) -> None:
        self.engine = engine
        self.currency = engine.currency
        self.rider_category = rider_category
        self.fare_media = fare_media

    def initial(self) -> PrefixState:
        return PrefixState((), 0)

    def extend(self, state: PrefixState, ride: ItineraryLeg) -> PrefixState:
        rides = state.rides + (ride,)
        return PrefixState(rides, self._paid(rides))

    def dominates(self, a: PrefixState, b: PrefixState) -> bool:
        return a.rides == b.rides and a.paid_minor is not None and (
            b.paid_minor is None or a.paid_minor <= b.paid_minor)

    def price(self, rides: Sequence[ItineraryLeg]) -> Price:
        return self.engine.price(rides, self.rider_category, self.fare_media)

    def _paid(self, rides: Sequence[ItineraryLeg]) -> int | None:
        try:
            total = self.price(rides).total
        except NoFareFound:
            return None
        return total.minor if total is not None else None


def fare_search_for(engine: FareEngine, rider_category: str | None = None,
                    fare_media: str | None = None) -> FareSearch[object]:
    """The best exact ``FareSearch`` known for the engine (the prefix search when none is better).    """
    if isinstance(engine, NativeV2Engine):
        return NativeV2FareSearch(engine, rider_category, fare_media)
    if isinstance(engine, FaresV1Engine):
        return FaresV1FareSearch(engine, rider_category, fare_media)
    if isinstance(engine, ZoneTariffEngine):
        return ZoneFareSearch(engine, rider_category, fare_media)
    return PrefixFareSearch(engine, rider_category, fare_media)
