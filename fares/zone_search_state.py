"""The fare state of a partial journey under a native format-1 zone tariff: the zones touched so far.

``fares.pricing.price_itinerary`` charges one through fare for the number of
distinct zones of every stop the journey passes (``zone_fares``, the last
entry for more zones), scaled by the rider category. So the zones touched are
all a later ride needs, and a ride adds its zones to them.

Dominance (``ZoneTariff.zone_fares``): with ``n`` zones capped at the last
entry, a partial journey ``a`` never ends dearer than ``b`` when

* ``a``'s zones are a subset of ``b``'s and the category's fares never fall
  with more zones (every continuation adds the same zones to both), or
* the most ``a`` can still come to pay (the highest fare from its zone count
  on) is no more than the least ``b`` can (the lowest from its count on):
  zones are never given back, so counts only grow (up to the last entry).
Otherwise the two stay incomparable.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import NoFareFound
from fares.engines import ZoneTariffEngine
from fares.price import ItineraryLeg, Price

_CACHE_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class ZoneFareState:
    """``zones`` is None when the journey can never be priced (unknown route or stop, a stop without zone)."""

    paid_minor: int | None
    zones: frozenset[str] | None


_DEAD = ZoneFareState(None, None)


class ZoneFareSearch:
    """``fares.fare_search.FareSearch`` for a ``ZoneTariffEngine``: exact, incremental, dominance by zone sets."""

    def __init__(self, engine: ZoneTariffEngine, rider_category: str | None = None,
                 fare_media: str | None = None) -> None:
        self.engine = engine
        self.currency = engine.currency
        self.rider_category = rider_category
        self.fare_media = fare_media
        tariff = engine.tariff
        try:
            category = tariff.category(rider_category)
        except NoFareFound:
            self._fares: tuple[int, ...] | None = None  # every price raises: every state is unpriceable
        else:
            self._fares = tuple(tariff.zone_fare(n, category).minor for n in range(1, len(tariff.zone_fares) + 1))
        fares = self._fares or ()
        self._rising = all(a <= b for a, b in zip(fares, fares[1:], strict=False))
        # the highest and the lowest fare a journey of n zones (index n - 1) can still come to pay
        self._most = tuple(max(fares[i:]) for i in range(len(fares)))
        self._least = tuple(min(fares[i:]) for i in range(len(fares)))
        self._legs: dict[tuple[str, str, str], frozenset[str] | None] = {}

    def initial(self) -> ZoneFareState:
        return ZoneFareState(0, frozenset()) if self._fares is not None else _DEAD

    def extend(self, state: ZoneFareState, ride: ItineraryLeg) -> ZoneFareState:
        if state.zones is None or self._fares is None:
            return _DEAD
        zones = self._zones(ride)
        if zones is None:
            return _DEAD
        touched = state.zones | zones
        return ZoneFareState(self._fares[min(len(touched), len(self._fares)) - 1], touched)

    def dominates(self, a: ZoneFareState, b: ZoneFareState) -> bool:
        if b.zones is None:
            return True  # b can never be priced
        if a.zones is None:
            return False
        if a.zones <= b.zones and (self._rising or a.zones == b.zones):
            return True
        last = len(self._most)
        return bool(a.zones) and bool(b.zones) and \
            self._most[min(len(a.zones), last) - 1] <= self._least[min(len(b.zones), last) - 1]

    def price(self, rides: Sequence[ItineraryLeg]) -> Price:
        return self.engine.price(rides, self.rider_category, self.fare_media)

    def _zones(self, ride: ItineraryLeg) -> frozenset[str] | None:
        """The zones of every stop the ride passes; None when ``price_itinerary`` would refuse the ride."""
        key = (ride.route_id, ride.from_stop_id, ride.to_stop_id)
        if key in self._legs:
            return self._legs[key]
        network = self.engine.network
        zones: frozenset[str] | None = None
        if ride.route_id in network.routes:
            stops = network.stops_between(ride.route_id, ride.from_stop_id, ride.to_stop_id)
            if stops is not None:
                found = [network.stops[stop_id].zone_id for stop_id in stops]
                if all(zone is not None for zone in found):
                    zones = frozenset(found)  # type: ignore[arg-type]
        if len(self._legs) >= _CACHE_LIMIT:
            self._legs.clear()
        self._legs[key] = zones
        return zones
