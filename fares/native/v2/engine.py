"""Pricing an itinerary under a format-2 tariff: the cheapest combination of tickets and through fares.

Legs are grouped into **tickets** (a product whose scope holds every leg of
the group; several legs only when the product's ``transfers`` allow it). Runs
of tickets may form a **through fare** (its ``sequence`` of products within
its window), which replaces their sum. A ticket right after another may get a
**transfer** discount. Through fares and transfers spend the journey's
``max_discounted_transfers``. The engine searches every such combination
(depth-first over leg positions, memoised) and keeps the cheapest after rider
category discounts; among equal totals it prefers fewer products, then the
one whose discounts come earliest, then the products listed first.

Everything the search reads is precomputed when the engine is built (products
per route, transfer rules per product pair) or once per leg (stops, zones,
distance); no marshmallow on this path.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from core.errors import NoFareFound
from core.money import Money
from fares.native.v2.categories import RiderCategory
from fares.native.v2.distance import path_length_m
from fares.native.v2.model import ProductRule, TariffV2
from fares.native.v2.timebands import BandAdjustment, banded_amount
from fares.native.v2.transfers import ThroughFare, TransferRule, same_route_ok, within
from fares.native.v2.trip import LegFacts, TripFacts
from fares.network import Network, Route
from fares.price import ItineraryLeg, Price, PricedLeg, Product, split_by_operator

_GEOMETRY_CACHE_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class _Geometry:
    zones: tuple[str, ...]
    all_zoned: bool
    from_zone: str | None
    to_zone: str | None
    distance_m: int


@dataclass(frozen=True, slots=True)
class _Ticket:
    product: int  # index into the tariff's products
    start: int  # leg positions, inclusive
    end: int
    amount: int  # adult amount after the time band, minor units
    band: str | None


@dataclass(frozen=True, slots=True)
class _Through:
    fare: int  # index into the tariff's through fares
    start: int
    end: int
    amount: int  # adult amount after the time band
    band: str | None
    tickets: tuple[_Ticket, ...]


@dataclass(frozen=True, slots=True)
class _Choice:
    """One product of the chosen combination."""

    amount: int  # what the rider pays for it
    adult: int  # before the rider category
    ticket: _Ticket | None = None
    through: _Through | None = None
    transfer: TransferRule | None = None
    previous: _Ticket | None = None  # the ticket the transfer is from
    undiscounted: int = 0  # the ticket's amount before the transfer

    @property
    def start(self) -> int:
        return self.ticket.start if self.ticket is not None else self.through.start  # type: ignore[union-attr]

    @property
    def end(self) -> int:
        return self.ticket.end if self.ticket is not None else self.through.end  # type: ignore[union-attr]


_Key = tuple[int, int, tuple[int, ...], tuple[int, ...]]  # total, products, -lengths, rule order
_Best = tuple[_Key, tuple[_Choice, ...]] | None


class NativeV2Engine:
    """A ``fares.price.FareEngine`` over a ``TariffV2`` and the network it was loaded with."""

    def __init__(self, model: TariffV2, network: Network) -> None:
        self.model = model
        self.network = network
        self.currency = model.currency
        self._tz = ZoneInfo(model.timezone)
        self._bands = model.bands_by_id()
        self._products: tuple[ProductRule, ...] = model.products
        product_index = {product.id: i for i, product in enumerate(model.products)}
        self._route_products: dict[str, tuple[int, ...]] = {
            route.id: tuple(
                i for i, product in enumerate(model.products)
                if product.scope.matches(route.operator_id, route.id, route.mode)
            )
            for route in network.routes.values()
        }
        self._through: tuple[ThroughFare, ...] = model.through_fares
        self._through_sequences = tuple(
            tuple(product_index[product_id] for product_id in fare.sequence) for fare in model.through_fares
        )
        self._through_by_first: dict[int, tuple[int, ...]] = {}
        for index, sequence in enumerate(self._through_sequences):
            self._through_by_first[sequence[0]] = (*self._through_by_first.get(sequence[0], ()), index)
        pairs: dict[tuple[int, int], list[TransferRule]] = {}
        for rule in model.transfers:
            for source in sorted(rule.from_products):
                for target in sorted(rule.to_products):
                    pairs.setdefault((product_index[source], product_index[target]), []).append(rule)
        self._transfers = {pair: tuple(rules) for pair, rules in pairs.items()}
        self._geometry: dict[tuple[str, str, str], _Geometry | None] = {}

    # --- the FareEngine protocol ------------------------------------------------------

    def rider_category(self, rider_category: str | None) -> str | None:
        return self.model.category(rider_category).id

    def price(
        self, legs: Sequence[ItineraryLeg], rider_category: str | None = None, fare_media: str | None = None
    ) -> Price:
        """``fare_media`` is accepted for the protocol; format 2 has no media-specific fares."""
        if not legs:
            raise NoFareFound("an itinerary needs at least one leg")
        category = self.model.category(rider_category)
        facts = [self._leg_facts(index, leg) for index, leg in enumerate(legs)]
        tickets = self._tickets(facts)
        standalone: list[int | None] = []
        for position in range(len(facts)):
            singles = [
                category.apply(t.amount, self._products[t.product].id) for t in tickets[position] if t.end == position
            ]
            standalone.append(min(singles) if singles else None)
        unpriced = {position for position, amount in enumerate(standalone) if amount is None}
        choices: list[_Choice] = []
        for low, high in _runs(len(facts), unpriced):
            found = self._cheapest(facts, tickets, low, high, category)
            if found is None:
                unpriced.update(range(low, high + 1))
            else:
                choices.extend(found)
        return self._explained(facts, standalone, sorted(unpriced), choices, category)

    # --- legs ---------------------------------------------------------------------------

    def _leg_facts(self, index: int, leg: ItineraryLeg) -> LegFacts:
        route = self.network.routes.get(leg.route_id)
        if route is None:
            raise NoFareFound(f"leg {index}: unknown route {leg.route_id!r}",
                              details={"leg": index, "field": "route_id"})
        geometry = self._leg_geometry(route, leg.from_stop_id, leg.to_stop_id)
        if geometry is None:
            raise NoFareFound(
                f"leg {index}: route {route.id} does not run from {leg.from_stop_id} to {leg.to_stop_id}",
                details={"leg": index, "field": "from_stop_id"},
            )
        return LegFacts(
            index=index, route_id=route.id, operator_id=route.operator_id, mode=route.mode,
            from_stop_id=leg.from_stop_id, to_stop_id=leg.to_stop_id, zones=geometry.zones,
            all_zoned=geometry.all_zoned, from_zone=geometry.from_zone, to_zone=geometry.to_zone,
            distance_m=geometry.distance_m, departure=self._local(leg.departure),
        )

    def _local(self, moment: datetime | None) -> datetime | None:
        """Aware times are converted to the tariff's timezone; naive ones are taken as local already."""
        if moment is None or moment.tzinfo is None:
            return moment
        return moment.astimezone(self._tz)

    def _leg_geometry(self, route: Route, from_stop: str, to_stop: str) -> _Geometry | None:
        key = (route.id, from_stop, to_stop)
        if key in self._geometry:
            return self._geometry[key]
        stop_ids = self.network.stops_between(route.id, from_stop, to_stop)
        geometry = None
        if stop_ids is not None:
            stops = [self.network.stops[stop_id] for stop_id in stop_ids]
            zones: dict[str, None] = {}
            for stop in stops:
                if stop.zone_id is not None:
                    zones.setdefault(stop.zone_id)
            geometry = _Geometry(
                zones=tuple(zones),
                all_zoned=all(stop.zone_id is not None for stop in stops),
                from_zone=stops[0].zone_id,
                to_zone=stops[-1].zone_id,
                distance_m=path_length_m(stops),
            )
        if len(self._geometry) >= _GEOMETRY_CACHE_LIMIT:
            self._geometry.clear()
        self._geometry[key] = geometry
        return geometry

    # --- tickets and through fares -----------------------------------------------------

    def _tickets(self, facts: Sequence[LegFacts]) -> list[list[_Ticket]]:
        """Every ticket that can start at each leg position, with its adult amount."""
        count = len(facts)
        out: list[list[_Ticket]] = [[] for _ in range(count)]
        for start in range(count):
            common = self._route_products.get(facts[start].route_id, ())
            for end in range(start, count):
                if end > start:
                    allowed = self._route_products.get(facts[end].route_id, ())
                    common = tuple(p for p in common if p in allowed)
                if not common:
                    break
                group = facts[start : end + 1]
                trip: TripFacts | None = None
                for index in common:
                    product = self._products[index]
                    if end > start and (product.coverage is None or not product.coverage.allows(group)):
                        continue
                    trip = trip or TripFacts.of(group)
                    amount, band = self._banded(product.fare.amount(trip), trip, group[0].departure,
                                                product.adjustments)
                    if amount is not None:
                        out[start].append(_Ticket(index, start, end, amount, band))
        return out

    def _banded(
        self, base: int | None, trip: TripFacts, departure: datetime | None, adjustments: tuple[BandAdjustment, ...]
    ) -> tuple[int | None, str | None]:
        return banded_amount(base, trip, departure, adjustments, self._bands)

    def _throughs(self, facts: Sequence[LegFacts], tickets: list[list[_Ticket]], start: int) -> list[_Through]:
        """Through fares that can start at ``start``: one way to cut each possible end into its tickets."""
        out: list[_Through] = []
        seen: set[tuple[int, int]] = set()  # (through fare, last leg): one cut is enough, the amount is the same
        for first in tickets[start]:
            for fare_index in self._through_by_first.get(first.product, ()):
                fare = self._through[fare_index]
                sequence = self._through_sequences[fare_index]
                for cut in self._cuts(facts, tickets, fare, sequence, 1, (first,)):
                    end = cut[-1].end
                    if (fare_index, end) in seen:
                        continue
                    seen.add((fare_index, end))
                    trip = TripFacts.of(facts[start : end + 1])
                    amount, band = self._banded(fare.amount_minor, trip, facts[start].departure, fare.adjustments)
                    if amount is not None:
                        out.append(_Through(fare_index, start, end, amount, band, cut))
        return out

    def _cuts(
        self, facts: Sequence[LegFacts], tickets: list[list[_Ticket]], fare: ThroughFare, sequence: tuple[int, ...],
        position: int, chosen: tuple[_Ticket, ...],
    ) -> list[tuple[_Ticket, ...]]:
        if position == len(sequence):
            return [chosen]
        at = chosen[-1].end + 1
        if at >= len(facts):
            return []
        if not same_route_ok(fare.allow_same_route, facts[at - 1], facts[at]):
            return []
        if not within(facts[chosen[0].start].departure, facts[at].departure, fare.window_s):
            return []
        out: list[tuple[_Ticket, ...]] = []
        for ticket in tickets[at]:
            if ticket.product == sequence[position]:
                out.extend(self._cuts(facts, tickets, fare, sequence, position + 1, (*chosen, ticket)))
        return out

    # --- the cheapest combination -------------------------------------------------------

    def _cheapest(
        self, facts: Sequence[LegFacts], tickets: list[list[_Ticket]], low: int, high: int, category: RiderCategory
    ) -> tuple[_Choice, ...] | None:
        limit = self.model.max_discounted_transfers
        budget = len(facts) if limit is None else limit
        throughs = {start: self._throughs(facts, tickets, start) for start in range(low, high + 1)}
        memo: dict[tuple[int, _Ticket | None, int], _Best] = {}
        product_count = len(self._products)

        def best(position: int, previous: _Ticket | None, used: int) -> _Best:
            if position == high + 1:
                return (0, 0, (), ()), ()
            state = (position, previous, used)
            if state in memo:
                return memo[state]
            winner: _Best = None

            def consider(choice: _Choice, order: int, next_previous: _Ticket | None, next_used: int) -> None:
                nonlocal winner
                rest = best(choice.end + 1, next_previous, next_used)
                if rest is None:
                    return
                (total, products, lengths, orders), chosen = rest
                key: _Key = (total + choice.amount, products + 1, (choice.start - choice.end - 1, *lengths),
                             (order, *orders))
                if winner is None or key < winner[0]:
                    winner = key, (choice, *chosen)

            for ticket in tickets[position]:
                if ticket.end > high:
                    continue
                product_id = self._products[ticket.product].id
                consider(_Choice(category.apply(ticket.amount, product_id), ticket.amount, ticket=ticket),
                         2 * ticket.product + 1, ticket, used)
                if previous is None or used >= budget:
                    continue
                for rule in self._transfers.get((previous.product, ticket.product), ()):
                    if not within(facts[previous.start].departure, facts[position].departure, rule.window_s):
                        continue
                    if not same_route_ok(rule.allow_same_route, facts[previous.end], facts[position]):
                        continue
                    discounted = rule.price(ticket.amount)
                    if discounted >= ticket.amount:
                        continue
                    choice = _Choice(category.apply(discounted, product_id), discounted, ticket=ticket, transfer=rule,
                                     previous=previous, undiscounted=ticket.amount)
                    consider(choice, 2 * ticket.product, ticket, used + 1)  # among equals, discount early
            for through in throughs[position]:
                fare = self._through[through.fare]
                if through.end > high or used + fare.discounted_transfers > budget:
                    continue
                choice = _Choice(category.apply(through.amount, fare.id), through.amount, through=through)
                consider(choice, 2 * (product_count + through.fare), None, used + fare.discounted_transfers)
            memo[state] = winner
            return winner

        found = best(low, None, 0)
        return None if found is None else found[1]

    # --- the answer -------------------------------------------------------------------------

    def _explained(
        self, facts: Sequence[LegFacts], standalone: Sequence[int | None], unpriced: Sequence[int],
        choices: Sequence[_Choice], category: RiderCategory,
    ) -> Price:
        currency = self.currency
        leg_rules: dict[int, list[str]] = {f.index: [] for f in facts}
        products: list[Product] = []
        rules: list[str] = []
        for choice in sorted(choices, key=lambda c: c.start):
            product, explanation = self._product(facts, choice, category, leg_rules)
            products.append(product)
            rules.append(explanation)
        priced_legs = tuple(
            PricedLeg(
                f.index, f.operator_id, f.route_id, f.from_stop_id, f.to_stop_id, f.zones,
                Money(standalone[f.index], currency) if standalone[f.index] is not None else None,  # type: ignore[arg-type]
                tuple(dict.fromkeys(leg_rules[f.index])),
            )
            for f in facts
        )
        if category.kind != "none":
            rules.append(category.describe(currency))
        if unpriced:
            rules.append(f"no fare for leg(s) {', '.join(map(str, unpriced))}: no product of the tariff covers "
                         "them, so the journey has no total")
            return Price(currency, None, category.id, tuple(products), priced_legs, (), tuple(rules),
                         self.model.version_id, tuple(unpriced))
        total = Money(sum(p.amount.minor for p in products), currency)
        rules.append("operator shares: the total split in proportion to each operator's standalone fare "
                     "(largest remainder)")
        return Price(currency, total, category.id, tuple(products), priced_legs, split_by_operator(total, priced_legs),
                     tuple(rules), self.model.version_id, ())

    def _product(
        self, facts: Sequence[LegFacts], choice: _Choice, category: RiderCategory, leg_rules: dict[int, list[str]]
    ) -> tuple[Product, str]:
        currency = self.currency

        def money(minor: int) -> str:
            return str(Money(minor, currency))

        legs = tuple(facts[i].index for i in range(choice.start, choice.end + 1))
        span = f"leg {legs[0]}" if len(legs) == 1 else f"legs {legs[0]}-{legs[-1]}"
        if choice.ticket is not None:
            ticket = choice.ticket
            product = self._products[ticket.product]
            trip = TripFacts.of(facts[ticket.start : ticket.end + 1])
            ids = [product.id]
            parts = [f"{product.id} ({product.name}), {span}: {product.fare.describe(trip)}"]
            if len(legs) > 1 and product.coverage is not None:
                parts.append(f"one ticket with {product.coverage.describe()}")
            parts.extend(self._band_text(ticket.band, product.adjustments, ticket.amount))
            if ticket.band not in (None, "*"):
                ids.append(ticket.band)  # type: ignore[arg-type]
            if choice.transfer is not None and choice.previous is not None:
                source = self._products[choice.previous.product].id
                parts.append(f"transfer {choice.transfer.id} after {source} (leg {facts[choice.previous.start].index}):"
                             f" {choice.transfer.describe(currency)}: {money(choice.undiscounted)} -> "
                             f"{money(choice.adult)}")
                ids.append(choice.transfer.id)
            rule_id, name = product.id, product.name
            through_products: dict[int, str] = {}
        else:
            through = choice.through
            assert through is not None
            fare = self._through[through.fare]
            separate = sum(t.amount for t in through.tickets)
            window = "" if fare.window_s is None else f" within {fare.window_s // 60} min"
            parts = [f"{fare.id} ({fare.name}), {span}: {' then '.join(fare.sequence)}{window} cost "
                     f"{money(fare.amount_minor)} in total instead of {money(separate)} separately"]
            parts.extend(self._band_text(through.band, fare.adjustments, through.amount))
            ids = [fare.id, *(self._products[t.product].id for t in through.tickets)]
            through_products = {
                facts[position].index: self._products[t.product].id
                for t in through.tickets for position in range(t.start, t.end + 1)
            }
            if through.band not in (None, "*"):
                ids.append(through.band)  # type: ignore[arg-type]
            rule_id, name = fare.id, fare.name
        if category.applies_to(rule_id):
            parts.append(f"rider category {category.id}: {money(choice.adult)} -> {money(choice.amount)}")
            ids.append(category.id)
        for index in legs:
            # a leg of a through fare names the through fare and its own ticket's product, not the others'
            own = ids if choice.through is None else [
                i for i in ids if i not in through_products.values() or i == through_products[index]
            ]
            leg_rules[index].extend(own)
        product_out = Product(
            id=rule_id, name=name, amount=Money(choice.amount, currency), leg_indexes=legs,
            rider_category=category.id, fare_media=None, rules=tuple(dict.fromkeys(ids)),
        )
        return product_out, "; ".join(parts) + f" => {money(choice.amount)}"

    def _band_text(self, band: str | None, adjustments: tuple[BandAdjustment, ...], amount: int) -> list[str]:
        money = str(Money(amount, self.currency))
        if band == "*":
            return [f"departure time unknown: the highest time-band amount, {money}"]
        if band is None:
            return []
        adjustment = next(a for a in adjustments if a.band == band)
        return [f"time band {band} ({self._bands[band].name}): {adjustment.describe()} = {money}"]


def _runs(count: int, unpriced: set[int]) -> list[tuple[int, int]]:
    """Maximal runs of legs that all have a fare, as (first, last) positions."""
    runs: list[tuple[int, int]] = []
    start = None
    for position in range(count + 1):
        if position < count and position not in unpriced:
            if start is None:
                start = position
        elif start is not None:
            runs.append((start, position - 1))
            start = None
    return runs
