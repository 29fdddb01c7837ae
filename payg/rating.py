"""Rating a service day: price each journey, cap the day and the week, and take a day pass when cheaper.

Each journey is priced alone with the active fare engine (its best fare, the
engine's transfers and through fares included). Its per-operator amounts are
the charges ``fares.native.v2.apply_caps`` caps, in time order, together with
the earlier days of the same Monday–Sunday week, so every day cap and every
week cap holds (operator-scoped caps count only their operators). A day pass
of the rider's category (a calendar day pass of the tariff) replaces the
journeys it covers when the pass plus the capped rest costs less. The result
is never more than any cap and never more than the sum of the single fares.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from core.errors import NoFareFound
from core.money import Money, split_minor
from fares.native.v2.caps import Cap, Charge, apply_caps
from fares.native.v2.passes import DAY, Pass
from fares.network import Network
from fares.price import FareEngine, ItineraryLeg, Price
from payg.max_fare import MaxFareRule
from payg.trips import Journey, Reconstruction


@dataclass(frozen=True, slots=True)
class RatingRules:
    """What the tariff says about pay-as-you-go for one rider category."""

    currency: str
    timezone: str
    day_start_s: int
    caps: tuple[Cap, ...] = ()
    day_passes: tuple[Pass, ...] = ()


@dataclass(frozen=True, slots=True)
class PricedJourney:
    journey: Journey
    price: Price | None  # None: the tariff has no fare for it (charged nothing, listed)
    legs: tuple[ItineraryLeg, ...]
    max_fare_legs: tuple[int, ...] = ()  # legs priced by the maximum-fare rule
    problem: str | None = None

    @property
    def uncapped_minor(self) -> int:
        return self.price.total.minor if self.price is not None and self.price.total is not None else 0

    def operator_amounts(self) -> list[tuple[str, int]]:
        if self.price is None or self.price.total is None:
            return []
        return [(share.operator_id, share.amount.minor) for share in self.price.operators]


@dataclass(frozen=True, slots=True)
class DayRating:
    service_date: date
    currency: str
    uncapped_minor: int
    charged_minor: int
    journeys: tuple[PricedJourney, ...]
    charged_per_journey: tuple[int, ...]
    caps_applied: tuple[str, ...]
    day_pass: Pass | None
    operators_uncapped: tuple[tuple[str, int], ...]  # (operator, uncapped amount), by operator id
    reconstruction: Reconstruction | None = None
    notes: tuple[str, ...] = field(default=())


SingleRideMemo = dict[tuple[str, str, str, str | None], Price | None]


def price_journey(engine: FareEngine, max_fare: MaxFareRule, journey: Journey, rider_category: str | None,
                  single_rides: SingleRideMemo | None = None) -> PricedJourney:
    """``single_rides``: a memo for one-leg journeys, only for tariffs whose fares do not vary with the time."""
    legs: list[ItineraryLeg] = []
    max_fare_legs: list[int] = []
    for index, leg in enumerate(journey.legs):
        to_stop = leg.to_stop_id
        if to_stop is None:
            found = max_fare.destination(leg.route_id, leg.from_stop_id, leg.tap_in, rider_category)
            if found is None:
                return PricedJourney(journey, None, tuple(legs), problem=f"leg {index}: no fare from "
                                     f"{leg.from_stop_id} on {leg.route_id} for the maximum-fare rule")
            to_stop = found.to_stop_id
            max_fare_legs.append(index)
        legs.append(ItineraryLeg(leg.route_id, leg.from_stop_id, to_stop, leg.tap_in, leg.tap_out))
    key = (legs[0].route_id, legs[0].from_stop_id, legs[0].to_stop_id, rider_category) if len(legs) == 1 else None
    if single_rides is not None and key is not None and key in single_rides:
        price = single_rides[key]
        if price is None:
            return PricedJourney(journey, None, tuple(legs), tuple(max_fare_legs), problem="no fare for this ride")
    else:
        try:
            price = engine.price(legs, rider_category)
        except NoFareFound as error:
            if single_rides is not None and key is not None:
                single_rides[key] = None
            return PricedJourney(journey, None, tuple(legs), tuple(max_fare_legs), problem=str(error))
        if single_rides is not None and key is not None:
            single_rides[key] = price
    problem = None if price.total is not None else f"no fare for leg(s) {list(price.unpriced_legs)}"
    return PricedJourney(journey, price if price.total is not None else None, tuple(legs),
                         tuple(max_fare_legs), problem)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _charges(journeys: Sequence[PricedJourney]) -> tuple[list[Charge], list[int]]:
    """One charge per journey and operator, and the journey each belongs to."""
    charges: list[Charge] = []
    owners: list[int] = []
    for position, priced in enumerate(journeys):
        for operator_id, amount in priced.operator_amounts():
            charges.append(Charge(priced.journey.start, _money(amount, priced), operator_id))
            owners.append(position)
    return charges, owners


def _money(amount: int, priced: PricedJourney) -> Money:
    assert priced.price is not None
    return Money(amount, priced.price.currency)


def _capped_day(earlier: Sequence[PricedJourney], today: Sequence[PricedJourney],
                caps: Sequence[Cap]) -> tuple[list[int], set[str]]:
    """What each of today's journeys pays once the week's earlier journeys filled the caps."""
    charges, owners = _charges([*earlier, *today])
    capped = apply_caps(charges, caps)
    per_journey = [0] * len(today)
    applied: set[str] = set()
    offset = len(earlier)
    for owner, result in zip(owners, capped, strict=True):
        if owner >= offset:
            per_journey[owner - offset] += result.charged.minor
            applied.update(result.capped_by)
    return per_journey, applied


def _covered(pass_: Pass, priced: PricedJourney, network: Network) -> bool:
    if priced.price is None:
        return True  # nothing to pay anyway
    for leg in priced.price.legs:
        route = network.routes.get(leg.route_id)
        if route is None or not pass_.covers(leg.operator_id, leg.route_id, route.mode, leg.zones):
            return False
    return True


def rate_day(
    day: date, week: Mapping[date, Sequence[PricedJourney]], rules: RatingRules, network: Network,
) -> DayRating:
    """Rate ``day`` given every priced journey of its week (days after it do not matter)."""
    earlier = [j for d in sorted(week) if week_start(d) == week_start(day) and d < day for j in week[d]]
    today = list(week.get(day, ()))
    per_journey, applied = _capped_day(earlier, today, rules.caps)
    charged = sum(per_journey)
    chosen_pass: Pass | None = None
    for pass_ in rules.day_passes:
        covered = [_covered(pass_, j, network) for j in today]
        if not any(covered) or pass_.amount.minor >= charged:
            continue
        rest = [j for j, c in zip(today, covered, strict=True) if not c]
        rest_charged, rest_applied = _capped_day(earlier, rest, rules.caps)
        total = pass_.amount.minor + sum(rest_charged)
        if total < charged:
            chosen_pass, charged, applied = pass_, total, rest_applied
            weights = [j.uncapped_minor if c else 0 for j, c in zip(today, covered, strict=True)]
            on_pass = split_minor(pass_.amount.minor, weights)
            rest_iter = iter(rest_charged)
            per_journey = [on_pass[i] if covered[i] else next(rest_iter) for i in range(len(today))]
    operators: dict[str, int] = defaultdict(int)
    for priced in today:
        for operator_id, amount in priced.operator_amounts():
            operators[operator_id] += amount
    return DayRating(
        service_date=day, currency=rules.currency, uncapped_minor=sum(j.uncapped_minor for j in today),
        charged_minor=charged, journeys=tuple(today), charged_per_journey=tuple(per_journey),
        caps_applied=tuple(sorted(applied)), day_pass=chosen_pass,
        operators_uncapped=tuple(sorted(operators.items())),
    )


def rules_for(model: Any, currency: str, rider_category: str | None) -> RatingRules:
    """Caps and calendar day passes of a format-2 tariff for a category; other tariffs have neither."""
    if model is None:
        return RatingRules(currency, "UTC", 0)
    passes = tuple(p for p in model.passes_for(rider_category) if p.period == DAY and p.calendar)
    return RatingRules(currency, model.timezone, model.service_day_start_s, model.caps_for(rider_category), passes)
