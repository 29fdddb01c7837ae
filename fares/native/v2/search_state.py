"""The fare state of a partial journey under a format-2 tariff: the engine's own search, run forward.

``NativeV2Engine.price`` finds the cheapest cover of an itinerary by tickets
(a product, over one leg or several when its ``transfers`` allow), through
fares (a run of tickets in ``sequence`` within a window) and transfer
discounts (a ticket right after another), spending at most
``max_discounted_transfers``. Run one ride at a time, the same choices leave
after every ride a few **configurations** -- what the next ride may still
join or be discounted by -- each with the cheapest cost of the rides so far
that ends in it. The state is that small table; ``paid_minor`` is the least
cost over the configurations that can end here, which is the engine's total.

A configuration keeps only what a later ride can still use (the rest is
forgotten, so that partial journeys meet in the same configuration):

* ``open``: the ticket being ridden, while it may still cover a later leg
  (``transfers.max_transfers`` not reached, window not over): product, time
  band, first boarding, legs so far, last route, and the trip facts its fare
  reads (zones for zone counts, first/last zone for matrices, metres for
  distance fares; the others are dropped), plus the transfer rules that
  discount it;
* ``prev``: a ticket that ended but may still discount the next one
  (a transfer rule from its product whose window is not over, budget left):
  product, first boarding (windows are measured from it), last route (only
  when a rule forbids the same route);
* ``through``: a through fare under way: which, how far in its sequence, its
  start and band, and its last route;
* ``used``: discounted transfers spent (only when the tariff limits them).

A window is over once the ride's arrival (its departure when unknown) is past
it: a journey's next ride departs no earlier than the previous one arrives.

``dominates(a, b)`` holds when every configuration of ``b`` is matched by one
of ``a`` that is at least as good for every continuation at no higher cost,
or when ``a`` can close everything now at a cost below ``b``'s configuration
minus the most that configuration could still save (see ``_slack``). "At
least as good" (``_covers``) is the tariff's own order:

* fewer discounted transfers spent (``max_discounted_transfers``);
* a later first boarding with the same band (every window is measured from the
  first boarding, ``transfers.window_minutes``: a later start leaves more time);
* fewer legs on the open ticket (``transfers.max_transfers``);
* for zone-count fares whose amounts never fall with more zones, a subset of
  zones; for distance fares, fewer metres (every fare, band multiplier,
  transfer price and rider discount of format 2 is non-decreasing in them).
Anything else must be equal; two partial journeys that differ otherwise stay
incomparable and both are kept, as in Euler, Lindner and Borndörfer (2024).

Caps and passes are not applied by ``price`` (pay-as-you-go applies caps to
charges, ticketing sells passes), so they are not part of the state.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from core.errors import NoFareFound
from fares.native.v2.categories import RiderCategory
from fares.native.v2.distance import DistanceFare
from fares.native.v2.engine import NativeV2Engine
from fares.native.v2.flat import FlatFare
from fares.native.v2.timebands import BandAdjustment, TimeBand, scale_half_up
from fares.native.v2.transfers import TransferRule, within
from fares.native.v2.trip import Fare, LegFacts, TripFacts
from fares.native.v2.zones import ZoneCountFare, ZoneMatrixFare
from fares.price import ItineraryLeg, Price


@dataclass(frozen=True, slots=True)
class _Trip:
    """The trip facts a fare reads; fields no fare of the product reads stay neutral (empty, True, None, 0)."""

    zones: frozenset[str] = frozenset()
    all_zoned: bool = True
    from_zone: str | None = None
    to_zone: str | None = None
    distance_m: int = 0

    def then(self, leg: _Trip) -> _Trip:
        return _Trip(self.zones | leg.zones, self.all_zoned and leg.all_zoned, self.from_zone, leg.to_zone,
                     self.distance_m + leg.distance_m)

    def facts(self) -> TripFacts:
        return TripFacts(tuple(sorted(self.zones)), self.all_zoned, self.from_zone, self.to_zone, self.distance_m)


@dataclass(frozen=True, slots=True)
class _Open:
    product: int
    band: str | None
    start: datetime | None  # None also when no window of the product can use it
    legs: int  # 0 when the product's coverage has no max_transfers
    last_route: str | None  # None when no rule of the product looks at it
    trip: _Trip
    discount: frozenset[int]  # transfer rules (indexes) that discount this ticket; empty: full price
    amount: int | None  # adult amount for the legs so far, after the band; None: no fare (yet)


@dataclass(frozen=True, slots=True)
class _Prev:
    product: int
    start: datetime | None
    last_route: str | None


@dataclass(frozen=True, slots=True)
class _Through:
    fare: int
    position: int  # the sequence item being ridden (or just ended, when the config has no open ticket)
    band: str | None
    start: datetime | None
    last_route: str | None
    trip: _Trip


@dataclass(frozen=True, slots=True)
class _Config:
    used: int
    prev: _Prev | None = None
    open: _Open | None = None
    through: _Through | None = None


@dataclass(frozen=True, slots=True)
class NativeV2FareState:
    """``entries``: (configuration, cost of the products already closed) pairs; empty when never priceable."""

    paid_minor: int | None
    entries: tuple[tuple[_Config, int], ...]


_DEAD = NativeV2FareState(None, ())
_Add = Callable[[_Config, int], None]


@dataclass(frozen=True, slots=True)
class _Needs:
    """Which trip facts a fare (with its band adjustments) reads, and whether its amount never falls with them."""

    zones: bool
    ends: bool
    distance: bool
    monotone: bool

    @staticmethod
    def of(fares: Iterable[Fare | None], multipliers_ok: bool) -> _Needs:
        zones = ends = distance = False
        monotone = multipliers_ok
        for fare in fares:
            if isinstance(fare, ZoneCountFare):
                zones = True
                monotone = monotone and all(a <= b for a, b in zip(fare.amounts, fare.amounts[1:], strict=False))
            elif isinstance(fare, ZoneMatrixFare):
                ends = True
            elif isinstance(fare, DistanceFare):
                distance = True
                monotone = monotone and fare.per_km >= 0
            elif fare is not None and not isinstance(fare, FlatFare):
                zones = ends = distance = True  # an unknown fare kind: keep every fact, compare only equal ones
                monotone = False
        return _Needs(zones, ends, distance, monotone)

    def project(self, leg: LegFacts) -> _Trip:
        return _Trip(
            frozenset(leg.zones) if self.zones else frozenset(),
            leg.all_zoned if self.zones else True,
            leg.from_zone if self.ends else None,
            leg.to_zone if self.ends else None,
            leg.distance_m if self.distance else 0,
        )

    def at_most(self, a: _Trip, b: _Trip) -> bool:
        """Whether every continuation of trip ``a`` costs no more than the same continuation of ``b``."""
        if a == b:
            return True
        if not self.monotone or a.from_zone != b.from_zone or a.to_zone != b.to_zone:
            return False
        return a.zones <= b.zones and (a.all_zoned or not b.all_zoned) and a.distance_m <= b.distance_m


def _band_of(adjustments: Sequence[BandAdjustment], bands: dict[str, TimeBand],
             departure: datetime | None) -> str | None:
    """The band ``banded_amount`` would pick: the first adjustment whose band holds the departure; ``*`` unknown."""
    if not adjustments:
        return None
    if departure is None:
        return "*"
    for adjustment in adjustments:
        if bands[adjustment.band].contains(departure):
            return adjustment.band
    return None


def _banded(base: int | None, trip: TripFacts, band: str | None, adjustments: Sequence[BandAdjustment]) -> int | None:
    """``timebands.banded_amount`` for a band already known."""
    if band is None:
        return base
    if band == "*":
        best = base
        for adjustment in adjustments:
            amount = adjustment.apply(base, trip)
            if amount is not None and (best is None or amount > best):
                best = amount
        return best
    adjustment = next(a for a in adjustments if a.band == band)
    return adjustment.apply(base, trip)


def _amounts(fare: Fare) -> frozenset[int] | None:
    """Every adult amount the fare can give, or None when they are not a known finite set."""
    if isinstance(fare, FlatFare):
        return frozenset({fare.amount_minor})
    if isinstance(fare, ZoneCountFare):
        return frozenset(fare.amounts)
    if isinstance(fare, ZoneMatrixFare):
        return frozenset(fare.cells.values())
    return None


def _banded_amounts(base: frozenset[int] | None, adjustments: Sequence[BandAdjustment]) -> frozenset[int] | None:
    if base is None:
        return None
    out = set(base)
    for adjustment in adjustments:
        if adjustment.fare is not None:
            more = _amounts(adjustment.fare)
            if more is None:
                return None
            out |= more
        elif adjustment.multiplier is not None:
            out |= {scale_half_up(amount, adjustment.multiplier) for amount in base}
    return frozenset(out)


def _later_or_same(a: datetime | None, b: datetime | None) -> bool:
    """Start ``a`` leaves at least the time ``b`` does; an unknown start opens no window, so it is the earliest."""
    return b is None or (a is not None and a >= b)


def _elapsed_over(start: datetime | None, now: datetime | None, window_s: int | None) -> bool:
    """Whether a window measured from ``start`` can no longer hold a boarding after ``now``."""
    if window_s is None:
        return False
    if start is None:
        return True
    return now is not None and (now - start).total_seconds() > window_s


class NativeV2FareSearch:
    """``fares.fare_search.FareSearch`` for a ``NativeV2Engine``: exact, incremental, with a tariff-aware dominance."""

    def __init__(self, engine: NativeV2Engine, rider_category: str | None = None,
                 fare_media: str | None = None) -> None:
        self.engine = engine
        self.currency = engine.currency
        self.rider_category = rider_category
        self.fare_media = fare_media
        model = engine.model
        try:
            self._category: RiderCategory | None = model.category(rider_category)
        except NoFareFound:
            self._category = None  # every price raises: every state is unpriceable
        self._budget = model.max_discounted_transfers
        self._bands = model.bands_by_id()
        self._products = model.products
        self._route_products = {route: frozenset(ps) for route, ps in engine._route_products.items()}
        self._rules: tuple[TransferRule, ...] = model.transfers
        rule_index = {id(rule): i for i, rule in enumerate(self._rules)}
        self._pair_rules = {pair: tuple(rule_index[id(r)] for r in rules) for pair, rules in engine._transfers.items()}
        product_ids = [p.id for p in self._products]
        self._rules_from = tuple(
            tuple(i for i, r in enumerate(self._rules) if pid in r.from_products) for pid in product_ids
        )
        self._product_needs = tuple(
            _Needs.of((p.fare, *(a.fare for a in p.adjustments)),
                      all(a.multiplier is None or a.multiplier >= 0 for a in p.adjustments))
            for p in self._products
        )
        self._through = model.through_fares
        self._sequences = engine._through_sequences
        self._through_by_first = engine._through_by_first
        self._through_needs = tuple(
            _Needs.of((a.fare for a in f.adjustments), all(a.multiplier is None or a.multiplier >= 0
                                                           for a in f.adjustments))
            for f in self._through
        )
        # which product needs its first boarding and last route kept
        self._timed = tuple(
            (p.coverage is not None and p.coverage.window_s is not None)
            or any(self._rules[r].window_s is not None for r in self._rules_from[i])
            for i, p in enumerate(self._products)
        )
        self._routed = tuple(
            (p.coverage is not None and not p.coverage.allow_same_route)
            or any(not self._rules[r].allow_same_route for r in self._rules_from[i])
            for i, p in enumerate(self._products)
        )
        self._max_paid = tuple(self._max_paid_of(i) for i in range(len(self._products)))
        self._rule_save = tuple(self._rule_save_of(r) for r in range(len(self._rules)))
        self._through_least = tuple(self._through_least_of(f) for f in range(len(self._through)))

    # --- the FareSearch protocol ---------------------------------------------------------------

    def initial(self) -> NativeV2FareState:
        if self._category is None:
            return _DEAD
        return NativeV2FareState(0, ((_Config(0), 0),))

    def extend(self, state: NativeV2FareState, ride: ItineraryLeg) -> NativeV2FareState:
        if not state.entries:
            return _DEAD
        try:
            leg = self.engine._leg_facts(0, ride)
        except NoFareFound:
            return _DEAD
        products = self._route_products.get(leg.route_id, frozenset())
        fresh = {q: self._fresh(q, leg) for q in sorted(products)}
        if not any(o.amount is not None for o in fresh.values()):
            return _DEAD  # the leg has no fare of its own: the engine leaves the journey without a total
        now = self.engine._local(ride.arrival) if ride.arrival is not None else leg.departure
        table: dict[_Config, int] = {}

        def add(config: _Config, cost: int) -> None:
            config_cost = self._settled(config, cost, now)
            if config_cost is not None:
                config, cost = config_cost
                if cost < table.get(config, cost + 1):
                    table[config] = cost

        for config, cost in state.entries:
            self._extend_open(config, cost, leg, products, add)
            self._next_ticket(config, cost, leg, fresh, add)
        entries = self._pruned(table)
        paid = [p for p in (self._closing(c, cost) for c, cost in entries) if p is not None]
        return NativeV2FareState(min(paid) if paid else None, entries)

    def dominates(self, a: NativeV2FareState, b: NativeV2FareState) -> bool:
        if not b.entries:
            return True  # b can never be priced
        if not a.entries or a.paid_minor is None:
            return False
        if b.paid_minor is not None and a.paid_minor > b.paid_minor:
            return False  # the journey may end here
        closed = [(c.used, p) for c, cost in a.entries if (p := self._closing(c, cost)) is not None]
        for kb, cb in b.entries:
            if any(ca <= cb and self._covers(ka, kb) for ka, ca in a.entries):
                continue
            slack = self._slack(kb)
            if slack is not None and any(p <= cb - slack and (self._budget is None or u <= kb.used)
                                         for u, p in closed):
                continue
            return False
        return True

    def price(self, rides: Sequence[ItineraryLeg]) -> Price:
        return self.engine.price(rides, self.rider_category, self.fare_media)

    # --- one more ride ----------------------------------------------------------------------------

    def _fresh(self, product: int, leg: LegFacts) -> _Open:
        rule = self._products[product]
        trip = self._product_needs[product].project(leg)
        band = _band_of(rule.adjustments, self._bands, leg.departure)
        amount = _banded(rule.fare.amount(trip.facts()), trip.facts(), band, rule.adjustments)
        return _Open(product, band, leg.departure if self._timed[product] else None,
                     1 if rule.coverage is not None and rule.coverage.max_transfers is not None else 0,
                     leg.route_id if self._routed[product] else None, trip, frozenset(), amount)

    def _extend_open(self, config: _Config, cost: int, leg: LegFacts, products: frozenset[int], add: _Add) -> None:
        """The open ticket covers this leg too (``transfers`` of its product)."""
        ticket = config.open
        if ticket is None or ticket.product not in products:
            return
        rule = self._products[ticket.product]
        coverage = rule.coverage
        if coverage is None:
            return
        if coverage.max_transfers is not None and ticket.legs > coverage.max_transfers:
            return
        if not within(ticket.start, leg.departure, coverage.window_s):
            return
        if not coverage.allow_same_route and ticket.last_route == leg.route_id:
            return
        trip = ticket.trip.then(self._product_needs[ticket.product].project(leg))
        facts = trip.facts()
        amount = _banded(rule.fare.amount(facts), facts, ticket.band, rule.adjustments)
        extended = replace(ticket, legs=ticket.legs + 1 if ticket.legs else 0,
                           last_route=leg.route_id if ticket.last_route is not None else None, trip=trip,
                           amount=amount)
        through = config.through
        if through is not None:
            through = self._through_then(through, leg)
        add(_Config(config.used, None, extended, through), cost)

    def _next_ticket(self, config: _Config, cost: int, leg: LegFacts, fresh: dict[int, _Open], add: _Add) -> None:
        """The open ticket ends before this leg and another starts with it."""
        through = config.through
        if through is not None:
            if config.open is not None and config.open.amount is None:
                return  # the ticket has no fare for its legs: it cannot be part of the through fare
            fare = self._through[through.fare]
            sequence = self._sequences[through.fare]
            if through.position + 1 < len(sequence):
                product = sequence[through.position + 1]
                if product not in fresh:
                    return
                if not fare.allow_same_route and through.last_route == leg.route_id:
                    return
                if not within(through.start, leg.departure, fare.window_s):
                    return
                moved = replace(self._through_then(through, leg), position=through.position + 1)
                add(_Config(config.used, None, fresh[product], moved), cost)
                return
            amount = self._through_amount(through)
            if amount is None:
                return
            cost += amount
            previous = None
        elif config.open is not None:
            closing = self._ticket_amount(config.open)
            if closing is None:
                return
            cost += closing
            ticket = config.open
            previous = _Prev(ticket.product, ticket.start, ticket.last_route)
        else:
            previous = config.prev
        used = config.used
        for product, ticket in fresh.items():
            add(_Config(used, None, ticket, None), cost)
            if previous is not None and (self._budget is None or used < self._budget):
                rules = frozenset(
                    r for r in self._pair_rules.get((previous.product, product), ())
                    if within(previous.start, leg.departure, self._rules[r].window_s)
                    and (self._rules[r].allow_same_route or previous.last_route != leg.route_id)
                )
                if rules:
                    add(_Config(used + 1 if self._budget is not None else 0, None,
                                replace(ticket, discount=rules), None), cost)
            for index in self._through_by_first.get(product, ()):
                fare = self._through[index]
                if self._budget is not None and used + fare.discounted_transfers > self._budget:
                    continue
                needs = self._through_needs[index]
                started = _Through(index, 0, _band_of(fare.adjustments, self._bands, leg.departure),
                                   leg.departure if fare.window_s is not None else None,
                                   leg.route_id if not fare.allow_same_route else None, needs.project(leg))
                add(_Config(used + fare.discounted_transfers if self._budget is not None else 0, None, ticket,
                            started), cost)

    def _through_then(self, through: _Through, leg: LegFacts) -> _Through:
        return replace(through, last_route=leg.route_id if through.last_route is not None else None,
                       trip=through.trip.then(self._through_needs[through.fare].project(leg)))

    def _settled(self, config: _Config, cost: int, now: datetime | None) -> tuple[_Config, int] | None:
        """Forget what no later ride can use: close what can no longer grow, drop windows that are over.

        None when the configuration can never be completed.
        """
        ticket, through = config.open, config.through
        if ticket is not None and not self._can_grow(ticket, now):
            if through is None:
                closing = self._ticket_amount(ticket)
                if closing is None:
                    return None
                cost += closing
                config = _Config(config.used, _Prev(ticket.product, ticket.start, ticket.last_route))
            else:
                if ticket.amount is None:
                    return None
                config = _Config(config.used, None, None, through)
            ticket = None
        if through is not None:
            last = through.position + 1 == len(self._sequences[through.fare])
            if not last and _elapsed_over(through.start, now, self._through[through.fare].window_s):
                return None
            if last and ticket is None:
                amount = self._through_amount(through)
                if amount is None:
                    return None
                return _Config(config.used), cost + amount
        if config.prev is not None:
            config = replace(config, prev=self._live_prev(config.prev, config.used, now))
        return config, cost

    def _can_grow(self, ticket: _Open, now: datetime | None) -> bool:
        coverage = self._products[ticket.product].coverage
        if coverage is None:
            return False
        if coverage.max_transfers is not None and ticket.legs > coverage.max_transfers:
            return False
        return not _elapsed_over(ticket.start, now, coverage.window_s)

    def _live_prev(self, prev: _Prev, used: int, now: datetime | None) -> _Prev | None:
        if self._budget is not None and used >= self._budget:
            return None
        live = [self._rules[r] for r in self._rules_from[prev.product]
                if not _elapsed_over(prev.start, now, self._rules[r].window_s)]
        if not live:
            return None
        return _Prev(prev.product,
                     prev.start if any(r.window_s is not None for r in live) else None,
                     prev.last_route if any(not r.allow_same_route for r in live) else None)

    # --- amounts ------------------------------------------------------------------------------------

    def _ticket_amount(self, ticket: _Open) -> int | None:
        """What the rider pays for the ticket if it ends now (transfer discount, then rider category)."""
        amount = ticket.amount
        if amount is None:
            return None
        if ticket.discount:
            discounted = min(self._rules[r].price(amount) for r in ticket.discount)
            if discounted >= amount:
                return None  # the engine grants no such transfer; the same ticket at full price is another entry
            amount = discounted
        assert self._category is not None
        return self._category.apply(amount, self._products[ticket.product].id)

    def _through_amount(self, through: _Through) -> int | None:
        fare = self._through[through.fare]
        facts = through.trip.facts()
        amount = _banded(fare.amount_minor, facts, through.band, fare.adjustments)
        if amount is None:
            return None
        assert self._category is not None
        return self._category.apply(amount, fare.id)

    def _closing(self, config: _Config, cost: int) -> int | None:
        """The price of the rides so far if the journey ends in this configuration (None: it cannot end here)."""
        through = config.through
        if through is not None:
            if through.position + 1 < len(self._sequences[through.fare]):
                return None
            if config.open is not None and config.open.amount is None:
                return None
            amount = self._through_amount(through)
            return None if amount is None else cost + amount
        if config.open is not None:
            closing = self._ticket_amount(config.open)
            return None if closing is None else cost + closing
        return cost

    # --- dominance ----------------------------------------------------------------------------------

    def _pruned(self, table: dict[_Config, int]) -> tuple[tuple[_Config, int], ...]:
        """Drop configurations another of the same state covers at no higher cost (ties: keep the first)."""
        items = sorted(table.items(), key=lambda item: item[1])
        kept: list[tuple[_Config, int]] = []
        for config, cost in items:
            if not any(c <= cost and self._covers(k, config) for k, c in kept):
                kept.append((config, cost))
        return tuple(kept)

    def _covers(self, a: _Config, b: _Config) -> bool:
        """Every continuation of ``a`` costs no more than the same continuation of ``b`` (same closed cost)."""
        if a == b:
            return True
        if self._budget is not None and a.used > b.used:
            return False
        if b.prev is not None:
            pa, pb = a.prev, b.prev
            if pa is None or pa.product != pb.product or pa.last_route != pb.last_route:
                return False
            if not _later_or_same(pa.start, pb.start):
                return False
        if (a.open is None) != (b.open is None) or (a.through is None) != (b.through is None):
            return False
        if a.open is not None and b.open is not None:
            oa, ob = a.open, b.open
            if (oa.product, oa.band, oa.last_route, oa.discount) != (ob.product, ob.band, ob.last_route, ob.discount):
                return False
            if oa.legs > ob.legs or not _later_or_same(oa.start, ob.start):
                return False
            if not self._product_needs[oa.product].at_most(oa.trip, ob.trip):
                return False
        if a.through is not None and b.through is not None:
            ta, tb = a.through, b.through
            if (ta.fare, ta.position, ta.band, ta.last_route) != (tb.fare, tb.position, tb.band, tb.last_route):
                return False
            if not _later_or_same(ta.start, tb.start) or not self._through_needs[ta.fare].at_most(ta.trip, tb.trip):
                return False
        return True

    def _slack(self, config: _Config) -> int | None:
        """The most the configuration can save on any continuation over ending everything now, or None.

        With ``F(c)`` the cheapest price of continuation ``c`` on its own with
        the same discounted transfers left, every continuation of a
        configuration costs at least ``F(c) - slack``:

        * nothing open: 0;
        * a ticket that may discount the next one: the largest saving of a
          live transfer rule over every amount the next product can have;
        * a through fare whose tickets so far have ended: the most the
          remaining tickets of its sequence can cost less the least the
          through fare can cost (the through fare replaces them).
        An open ticket that may still cover later legs has no such bound here.
        """
        if config.open is not None:
            return None
        if config.through is not None:
            through = config.through
            sequence = self._sequences[through.fare]
            rest = [self._max_paid[p] for p in sequence[through.position + 1:]]
            if any(r is None for r in rest):
                return None
            return sum(rest) - self._through_least[through.fare]  # type: ignore[arg-type]
        if config.prev is None:
            return 0
        saves = [self._rule_save[r] for r in self._rules_from[config.prev.product]]
        if any(s is None for s in saves):
            return None
        return max(saves, default=0)  # type: ignore[type-var]

    def _possible(self, product: int) -> frozenset[int] | None:
        rule = self._products[product]
        return _banded_amounts(_amounts(rule.fare), rule.adjustments)

    def _max_paid_of(self, product: int) -> int | None:
        amounts = self._possible(product)
        if amounts is None or self._category is None:
            return None
        return max((self._category.apply(a, self._products[product].id) for a in amounts), default=0)

    def _rule_save_of(self, index: int) -> int | None:
        rule = self._rules[index]
        if self._category is None:
            return None
        best = 0
        for product, target in enumerate(self._products):
            if target.id not in rule.to_products:
                continue
            amounts = self._possible(product)
            if amounts is None:
                return None
            for amount in amounts:
                discounted = rule.price(amount)
                if discounted < amount:
                    best = max(best, self._category.apply(amount, target.id)
                               - self._category.apply(discounted, target.id))
        return best

    def _through_least_of(self, index: int) -> int:
        fare = self._through[index]
        amounts = _banded_amounts(frozenset({fare.amount_minor}), fare.adjustments)
        if amounts is None or self._category is None:
            return 0  # nothing is known to be paid: 0 is a lower bound
        return min(self._category.apply(a, fare.id) for a in amounts)
