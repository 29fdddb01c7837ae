"""``FaresV2Engine``: prices an itinerary under a feed's GTFS Fares v2 files (a ``fares.price.FareEngine``).

Indexes are built once, in the constructor; ``price`` only looks things up.
"""
from __future__ import annotations

from collections.abc import Sequence

from core.errors import NoFareFound
from core.money import Money
from fares.gtfs.basics import FeedBasics
from fares.gtfs.fares_v2 import explain
from fares.gtfs.fares_v2.areas import AreaIndex
from fares.gtfs.fares_v2.join import FareLeg, LegJoiner, single_leg
from fares.gtfs.fares_v2.journey import Option, Step, cheapest_plan
from fares.gtfs.fares_v2.leg_lookup import LegRuleLookup
from fares.gtfs.fares_v2.model import FareLegRule, FaresV2
from fares.gtfs.fares_v2.products import ProductChooser
from fares.gtfs.fares_v2.timeframes import TimeframeMatcher
from fares.gtfs.fares_v2.transfers import TransferLookup
from fares.price import (
    ItineraryLeg,
    OperatorAmount,
    Price,
    PricedLeg,
    Product,
    split_by_operator,
    unknown_rider_category,
)


class FaresV2Engine:
    """Prices itineraries under one feed's Fares v2 tariff.

    Legs are first joined into effective fare legs (fare_leg_join_rules), each
    is matched to fare_leg_rules, and the cheapest combination of the matching
    rules and the transfer rules they lead to is bought. Several rules matching
    one leg are alternatives the rider may choose from. A rider who names no
    rider category travels as the default one; one who names no fare media
    may use any. An unknown route, stop, rider category or fare media raises
    ``NoFareFound``; a leg that no rule prices gives a ``Price`` without total.
    """

    def __init__(self, fares: FaresV2, basics: FeedBasics, tariff_version_id: int | None = None) -> None:
        self.currency = fares.currency
        self.fares = fares
        self.basics = basics
        self.tariff_version_id = tariff_version_id
        self._areas = AreaIndex(fares.stop_areas, basics)
        self._lookup = LegRuleLookup(fares, self._areas, TimeframeMatcher(fares.timeframes, basics))
        self._joiner = LegJoiner(fares.join_rules, basics)
        self._transfers = TransferLookup(fares.transfer_rules)
        self._products = ProductChooser(fares)
        self._default_category = fares.default_rider_category
        self._explainer = explain.Explainer(fares.currency, bool(fares.transfer_rules), fares.rule_priority)
        self._moneys: dict[int, Money] = {}
        self._zones: dict[tuple[str, str], tuple[str, ...]] = {}
        self._splits: dict[tuple[object, ...], tuple[OperatorAmount, ...]] = {}

    def price(self, legs: Sequence[ItineraryLeg], rider_category: str | None = None,
              fare_media: str | None = None) -> Price:
        """The cheapest combination of products for ``legs``; ``total`` is None when a leg has no fare."""
        category = self._category(rider_category)
        self._check(legs, fare_media)
        networks = [self.fares.route_networks.get(leg.route_id) for leg in legs]
        fare_legs = self._joiner.join(legs, networks)
        matched = [self._lookup.match(leg) for leg in fare_legs]
        options = [self._options(rules, category, fare_media) for rules in matched]
        standalone = self._standalone(legs, networks, fare_legs, options, category, fare_media)
        if all(options):
            total, plan = cheapest_plan(fare_legs, options, self._transfers,
                                        lambda product_id: self._products.row(product_id, category, fare_media))
            rules = self._explainer.steps(fare_legs, plan)
            products = self._bought(fare_legs, plan, category)
            chosen: list[Step | None] = list(plan)
            unpriced: tuple[int, ...] = ()
        else:
            total, products, chosen, rules = None, (), [None] * len(fare_legs), []
            unpriced = tuple(i for leg, found in zip(fare_legs, options, strict=True) if not found for i in leg.indexes)
            for leg, found, rule_rows in zip(fare_legs, options, matched, strict=True):
                if not found:
                    rules.append(explain.unmatched(leg, rule_rows, category))
        priced = self._priced_legs(legs, fare_legs, chosen, standalone)
        amount = self._money(total) if total is not None else None
        if amount is not None:
            rules.append(f"total {amount} for rider category {category or '(none)'}: the cheapest combination")
            rules.append("operator shares: the total split in proportion to each operator's standalone fare "
                         "(largest remainder)")
        operators = self._split(amount, priced) if amount is not None else ()
        return Price(self.currency, amount, category, products, priced, operators, tuple(rules),
                     self.tariff_version_id, unpriced)

    def _money(self, minor: int) -> Money:
        money = self._moneys.get(minor)
        if money is None:
            money = self._moneys[minor] = Money(minor, self.currency)
        return money

    def _split(self, total: Money, priced: Sequence[PricedLeg]) -> tuple[OperatorAmount, ...]:
        """``split_by_operator``, remembered: it is pure, and the same weights come back often."""
        key = (total.minor, *((leg.operator_id, leg.standalone) for leg in priced))
        split = self._splits.get(key)
        if split is None:
            if len(self._splits) > 50_000:
                self._splits.clear()
            split = self._splits[key] = split_by_operator(total, priced)
        return split

    def rider_category(self, rider_category: str | None) -> str | None:
        return self._category(rider_category)

    def _category(self, rider_category: str | None) -> str | None:
        if rider_category is None:
            return self._default_category
        if rider_category not in self.fares.rider_categories:
            raise unknown_rider_category(rider_category, list(self.fares.rider_categories))
        return rider_category

    def _check(self, legs: Sequence[ItineraryLeg], fare_media: str | None) -> None:
        if not legs:
            raise NoFareFound("an itinerary needs at least one leg")
        if fare_media is not None and fare_media not in self.fares.fare_media:
            raise NoFareFound(f"unknown fare media {fare_media!r}", details={"field": "fare_media"},
                              code="unknown_fare_media")
        routes, stops = self.basics.routes, self.basics.stops
        for index, leg in enumerate(legs):
            if leg.route_id not in routes:
                raise NoFareFound(f"leg {index}: unknown route {leg.route_id!r}",
                                  details={"leg": index, "field": "route_id"})
            if leg.from_stop_id not in stops or leg.to_stop_id not in stops:
                field_name = "from_stop_id" if leg.from_stop_id not in stops else "to_stop_id"
                raise NoFareFound(f"leg {index}: unknown stop {getattr(leg, field_name)!r}",
                                  details={"leg": index, "field": field_name})

    def _options(self, rules: Sequence[FareLegRule], category: str | None, media: str | None) -> tuple[Option, ...]:
        found = []
        for rule in rules:
            row = self._products.row(rule.fare_product_id, category, media)
            if row is not None:
                found.append(Option(rule, row))
        return tuple(found)

    def _standalone(self, legs: Sequence[ItineraryLeg], networks: Sequence[str | None], fare_legs: Sequence[FareLeg],
                    options: Sequence[Sequence[Option]], category: str | None, media: str | None) -> list[int | None]:
        """Each leg priced alone (the weight for apportionment): its cheapest option, not joined, no transfer."""
        alone: list[int | None] = []
        for leg, found in zip(fare_legs, options, strict=True):
            if len(leg.indexes) == 1:
                alone.append(min(option.row.amount for option in found) if found else None)
                continue
            for i in leg.indexes:
                own = self._options(self._lookup.match(single_leg(i, legs[i], networks[i])), category, media)
                alone.append(min(option.row.amount for option in own) if own else None)
        return alone

    def _bought(self, fare_legs: Sequence[FareLeg], plan: Sequence[Step], category: str | None
                ) -> tuple[Product, ...]:
        """The products to buy. A leg whose fare a free transfer covers joins the product that carries its chain."""
        bought: list[tuple[str, str, int, list[int], str | None, str | None, tuple[str, ...]]] = []
        carrier: int | None = None
        for i, (leg, step) in enumerate(zip(fare_legs, plan, strict=True)):
            if step.transfer is None:
                carrier = None
            covered = False
            if step.transfer is not None and step.transfer.row is not None:
                row = step.transfer.row
                bought.append((row.product_id, row.name or row.product_id, row.amount,
                               [*fare_legs[i - 1].indexes, *leg.indexes], row.rider_category_id, row.fare_media_id,
                               (step.transfer.rule.id,)))
                carrier, covered = len(bought) - 1, True
            if step.pays_leg:
                row = step.option.row
                bought.append((row.product_id, row.name or row.product_id, row.amount, list(leg.indexes),
                               row.rider_category_id, row.fare_media_id, (step.option.rule.id, *leg.join_rules)))
                carrier, covered = len(bought) - 1, True
            if not covered and carrier is not None:
                bought[carrier][3].extend(leg.indexes)
        return tuple(Product(pid, name, self._money(amount), tuple(indexes), category_id, media_id, rules)
                     for pid, name, amount, indexes, category_id, media_id, rules in bought)

    def _priced_legs(self, legs: Sequence[ItineraryLeg], fare_legs: Sequence[FareLeg], chosen: Sequence[Step | None],
                     standalone: Sequence[int | None]) -> tuple[PricedLeg, ...]:
        priced = []
        for leg_rows, step in zip(fare_legs, chosen, strict=True):
            rules: tuple[str, ...] = ()
            if step is not None:
                rules = (step.option.rule.id, *leg_rows.join_rules)
                if step.transfer is not None:
                    rules += (step.transfer.rule.id,)
            for i in leg_rows.indexes:
                leg = legs[i]
                alone = standalone[i]
                priced.append(PricedLeg(i, self.basics.routes[leg.route_id].agency_id, leg.route_id, leg.from_stop_id,
                                        leg.to_stop_id, self._zones_of(leg.from_stop_id, leg.to_stop_id),
                                        self._money(alone) if alone is not None else None, rules))
        return tuple(priced)

    def _zones_of(self, from_stop_id: str, to_stop_id: str) -> tuple[str, ...]:
        """PricedLeg.zones: the areas of the departure stop, then those of the arrival stop."""
        key = (from_stop_id, to_stop_id)
        zones = self._zones.get(key)
        if zones is None:
            if len(self._zones) > 100_000:
                self._zones.clear()
            zones = self._zones[key] = tuple(dict.fromkeys((*self._areas.of(from_stop_id),
                                                            *self._areas.of(to_stop_id))))
        return zones
