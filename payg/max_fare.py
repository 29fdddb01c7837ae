"""The maximum-fare rule for a ride whose tap-out is missing.

Without a tap-out nobody knows where the rider left, so the ride is priced as
the dearest ride the tariff allows from the tap-in stop on that route: every
stop the route serves after the tap-in stop, in either direction, is tried
with the active fare engine, and the highest fare wins (ties: the stop listed
first). The rule needs no extra tariff field and follows any tariff change.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.errors import NoFareFound
from fares.network import Network
from fares.price import FareEngine, ItineraryLeg


@dataclass(frozen=True, slots=True)
class MaxFare:
    to_stop_id: str
    amount_minor: int


class MaxFareRule:
    """Remembers answers per (route, stop, rider category, departure) within one rating run.

    ``time_matters=False`` (a tariff without time bands) drops the departure from the key.
    """

    def __init__(self, engine: FareEngine, network: Network, time_matters: bool = True) -> None:
        self.engine = engine
        self.network = network
        self.time_matters = time_matters
        self._memo: dict[tuple[str, str, str | None, datetime | None], MaxFare | None] = {}

    def destination(self, route_id: str, from_stop_id: str, departure: datetime,
                    rider_category: str | None) -> MaxFare | None:
        key = (route_id, from_stop_id, rider_category, departure if self.time_matters else None)
        if key not in self._memo:
            self._memo[key] = self._search(route_id, from_stop_id, departure, rider_category)
        return self._memo[key]

    def _search(self, route_id: str, from_stop_id: str, departure: datetime,
                rider_category: str | None) -> MaxFare | None:
        route = self.network.routes.get(route_id)
        if route is None:
            return None
        best: MaxFare | None = None
        for pattern in route.patterns:
            if from_stop_id not in pattern.stop_ids:
                continue
            for stop_id in pattern.stop_ids[pattern.index_of(from_stop_id) + 1 :]:
                try:
                    price = self.engine.price([ItineraryLeg(route_id, from_stop_id, stop_id, departure)],
                                              rider_category)
                except NoFareFound:
                    continue
                if price.total is not None and (best is None or price.total.minor > best.amount_minor):
                    best = MaxFare(stop_id, price.total.minor)
        return best
