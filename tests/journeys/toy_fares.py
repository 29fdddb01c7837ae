"""A small tariff for the search tests: a fare per route, one discounted transfer within a time limit.

A ride costs its route's fare; the first later ride boarded within
``WINDOW_S`` of the first boarding costs ``DISCOUNT`` less (once per journey).
So a journey that starts later can be cheaper at the same arrival, and the
cheapest journey is often not the fastest.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.money import Money
from fares.price import ItineraryLeg, Price

WINDOW_S = 40 * 60
DISCOUNT = 150


@dataclass(frozen=True, slots=True)
class ToyState:
    paid_minor: int
    first: float | None  # POSIX seconds of the first boarding
    used: bool


class ToyFareSearch:
    currency = "EUR"
    prices_never_fall = True  # every fare is above DISCOUNT

    def __init__(self, fares: dict[str, int]) -> None:
        self.fares = fares

    def initial(self) -> ToyState:
        return ToyState(0, None, False)

    def extend(self, state: ToyState, ride: ItineraryLeg) -> ToyState:
        assert ride.departure is not None
        boarded = ride.departure.timestamp()
        fare = self.fares[ride.route_id]
        if state.first is None:
            return ToyState(state.paid_minor + fare, boarded, False)
        if not state.used and boarded - state.first <= WINDOW_S:
            return ToyState(state.paid_minor + fare - DISCOUNT, state.first, True)
        return ToyState(state.paid_minor + fare, state.first, state.used)

    def dominates(self, a: ToyState, b: ToyState) -> bool:
        """Exact: the discount saves the same amount whichever ride takes it, so a later window is better."""
        if a.first is None or b.first is None:
            return a.first is None and b.first is None and a.paid_minor <= b.paid_minor
        return a.paid_minor <= b.paid_minor and (b.used or (not a.used and a.first >= b.first))

    def price(self, rides: Sequence[ItineraryLeg]) -> Price:
        state = self.initial()
        for ride in rides:
            state = self.extend(state, ride)
        total = Money(state.paid_minor, self.currency)
        return Price(self.currency, total, None, (), (), (), ())
