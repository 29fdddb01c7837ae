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
least as good" (``_Row``) is the tariff's own order:

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

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
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
class _Place:
    """What a ride's route and stops give the search, once per (route, from stop, to stop)."""

    route_id: str
    products: frozenset[int]
    trips: dict[int, _Trip]  # per product in scope: the facts its fares read
    through_trips: tuple[_Trip, ...]  # per through fare
    amounts: dict[int, int | None]  # per product without time bands: the one-leg adult amount


@dataclass(frozen=True, slots=True)
class _Ride:
    place: _Place
    departure: datetime | None  # local time of the tariff

    @property
    def route_id(self) -> str:
        return self.place.route_id


_Shape = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class _Row:
    """An entry as ``dominates`` reads it: configurations with the same ``shape`` compare by ``order``.

    ``order`` holds numbers where smaller is at least as good (transfers spent, minus the first boarding's
    timestamp, legs on the open ticket, a stop without zone, metres) and ``zones`` zone sets where a subset is
    at least as good; anything not ordered so is part of the shape.
    """

    shape: _Shape
    order: tuple[float, ...]
    zones: tuple[frozenset[str], ...]
    cost: int
    used: int
    slack: int | None


@dataclass(frozen=True, slots=True)
class NativeV2FareState:
    """``entries``: (configuration, cost of the products already closed) pairs; empty when never priceable."""

    paid_minor: int | None
    entries: tuple[tuple[_Config, int], ...]
    rows: tuple[_Row, ...] = field(default=(), compare=False, repr=False)
    by_shape: dict[_Shape, tuple[_Row, ...]] = field(default_factory=dict, compare=False, repr=False)
    closed: tuple[tuple[int, int], ...] = field(default=(), compare=False, repr=False)  # (used, price) ending here


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

    def project(self, leg: LegFacts | _Trip) -> _Trip:
        return _Trip(
            frozenset(leg.zones) if self.zones else frozenset(),
            leg.all_zoned if self.zones else True,
            leg.from_zone if self.ends else None,
            leg.to_zone if self.ends else None,
            leg.distance_m if self.distance else 0,
        )


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


_EPOCH = datetime(1970, 1, 1)
_UNKNOWN = object()
_PLACE_CACHE_LIMIT = 100_000


def _late(start: datetime | None) -> float:
    """Minus the first boarding in wall-clock seconds (windows are wall-clock differences in the tariff's zone).

    Smaller is better: a later start leaves more of every window measured from it; an unknown start opens
    no window, so it is the worst.
    """
    if start is None:
        return math.inf
    return -(start.replace(tzinfo=None) - _EPOCH).total_seconds()


def _trip_order(needs: _Needs, trip: _Trip, shape: list[object], order: list[float],
                zones: list[frozenset[str]]) -> None:
    """Zone sets and metres are ordered when every fare reading them is non-decreasing in them; else equal."""
    if not needs.monotone:
        shape.append(trip)
        return
    shape.append((trip.from_zone, trip.to_zone))
    order.extend((0 if trip.all_zoned else 1, trip.distance_m))
    zones.append(trip.zones)


def _at_least_as_good(a: _Row, b: _Row) -> bool:
    """For rows of the same shape: ``a`` costs no more and is no worse in any ordered part."""
    if a.cost > b.cost:
        return False
    for x, y in zip(a.order, b.order):  # noqa: B905 -- same shape, same length
        if x > y:
            return False
    for zones_a, zones_b in zip(a.zones, b.zones):  # noqa: B905
        if not zones_a <= zones_b:
            return False
    return True


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
        self._places: dict[tuple[str, str, str], _Place | None] = {}
        self._slacks: dict[_Shape, int | None] = {}

    # --- the FareSearch protocol ---------------------------------------------------------------

    def initial(self) -> NativeV2FareState:
        if self._category is None:
            return _DEAD
        return self._state(((_Config(0), 0),))

    def extend(self, state: NativeV2FareState, ride: ItineraryLeg) -> NativeV2FareState:
        if not state.entries:
            return _DEAD
        place = self._place(ride)
        if place is None:
            return _DEAD
        leg = _Ride(place, self.engine._local(ride.departure))
        products = place.products
        fresh = {q: self._fresh(q, leg) for q in products}
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
        return self._state(tuple(table.items()))

    def dominates(self, a: NativeV2FareState, b: NativeV2FareState) -> bool:
        if not b.entries:
            return True  # b can never be priced
        if not a.entries or a.paid_minor is None:
            return False
        if b.paid_minor is not None and a.paid_minor > b.paid_minor:
            return False  # the journey may end here
        by_shape, closed = a.by_shape, a.closed
        for row in b.rows:
            if any(_at_least_as_good(other, row) for other in by_shape.get(row.shape, ())):
                continue
            slack = row.slack
            if slack is None or not any(used <= row.used and paid <= row.cost - slack for used, paid in closed):
                return False
        return True

    def price(self, rides: Sequence[ItineraryLeg]) -> Price:
        return self.engine.price(rides, self.rider_category, self.fare_media)

    # --- one more ride ----------------------------------------------------------------------------

    def _state(self, entries: Sequence[tuple[_Config, int]]) -> NativeV2FareState:
        """The pruned entries with what ``dominates`` reads of them, computed once per state."""
        rows = sorted(((self._row(config, cost), config) for config, cost in entries), key=lambda rc: rc[0].cost)
        kept: list[tuple[_Row, _Config]] = []
        by_shape: dict[_Shape, list[_Row]] = {}
        for row, config in rows:
            same = by_shape.setdefault(row.shape, [])
            if any(_at_least_as_good(other, row) for other in same):
                continue
            same.append(row)
            kept.append((row, config))
        closed = []
        for row, config in kept:
            paid = self._closing(config, row.cost)
            if paid is not None:
                closed.append((row.used, paid))
        return NativeV2FareState(
            min(p for _, p in closed) if closed else None,
            tuple((config, row.cost) for row, config in kept),
            tuple(row for row, _ in kept),
            {shape: tuple(same) for shape, same in by_shape.items()},
            tuple(sorted(closed, key=lambda c: c[1])),
        )

    def _row(self, config: _Config, cost: int) -> _Row:
        shape: list[object] = []
        order: list[float] = [config.used]
        zones: list[frozenset[str]] = []
        prev = config.prev
        if prev is not None:
            shape.append(("prev", prev.product, prev.last_route))
            order.append(_late(prev.start))
        ticket = config.open
        if ticket is not None:
            shape.append(("open", ticket.product, ticket.band, ticket.last_route, ticket.discount))
            order.extend((_late(ticket.start), ticket.legs))
            _trip_order(self._product_needs[ticket.product], ticket.trip, shape, order, zones)
        through = config.through
        if through is not None:
            shape.append(("through", through.fare, through.position, through.band, through.last_route))
            order.append(_late(through.start))
            _trip_order(self._through_needs[through.fare], through.trip, shape, order, zones)
        key = tuple(shape)
        slack = self._slacks.get(key, _UNKNOWN)
        if slack is _UNKNOWN:
            slack = self._slacks[key] = self._slack(config)  # a function of the shape alone
        return _Row(key, tuple(order), tuple(zones), cost, config.used, slack)  # type: ignore[arg-type]

    def _place(self, ride: ItineraryLeg) -> _Place | None:
        key = (ride.route_id, ride.from_stop_id, ride.to_stop_id)
        if key in self._places:
            return self._places[key]
        try:
            facts = self.engine._leg_facts(0, ItineraryLeg(*key))
        except NoFareFound:
            place = None
        else:
            products = self._route_products.get(facts.route_id, frozenset())
            trips = {q: self._product_needs[q].project(facts) for q in products}
            place = _Place(
                facts.route_id, products, trips, tuple(needs.project(facts) for needs in self._through_needs),
                {q: self._products[q].fare.amount(trips[q].facts()) for q in products
                 if not self._products[q].adjustments},
            )
        if len(self._places) >= _PLACE_CACHE_LIMIT:
            self._places.clear()
        self._places[key] = place
        return place

    def _fresh(self, product: int, leg: _Ride) -> _Open:
        rule = self._products[product]
        trip = leg.place.trips[product]
        if rule.adjustments:
            band = _band_of(rule.adjustments, self._bands, leg.departure)
            facts = trip.facts()
            amount = _banded(rule.fare.amount(facts), facts, band, rule.adjustments)
        else:
            band, amount = None, leg.place.amounts[product]
        return _Open(product, band, leg.departure if self._timed[product] else None,
                     1 if rule.coverage is not None and rule.coverage.max_transfers is not None else 0,
                     leg.route_id if self._routed[product] else None, trip, frozenset(), amount)

    def _extend_open(self, config: _Config, cost: int, leg: _Ride, products: frozenset[int], add: _Add) -> None:
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
        trip = ticket.trip.then(leg.place.trips[ticket.product])
        facts = trip.facts()
        amount = _banded(rule.fare.amount(facts), facts, ticket.band, rule.adjustments)
        extended = _Open(ticket.product, ticket.band, ticket.start, ticket.legs + 1 if ticket.legs else 0,
                         leg.route_id if ticket.last_route is not None else None, trip, ticket.discount, amount)
        through = config.through
        if through is not None:
            through = self._through_then(through, leg)
        add(_Config(config.used, None, extended, through), cost)

    def _next_ticket(self, config: _Config, cost: int, leg: _Ride, fresh: dict[int, _Open], add: _Add) -> None:
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
                moved = self._through_then(through, leg, through.position + 1)
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
                                _Open(ticket.product, ticket.band, ticket.start, ticket.legs, ticket.last_route,
                                      ticket.trip, rules, ticket.amount)), cost)
            for index in self._through_by_first.get(product, ()):
                fare = self._through[index]
                if self._budget is not None and used + fare.discounted_transfers > self._budget:
                    continue
                started = _Through(index, 0, _band_of(fare.adjustments, self._bands, leg.departure),
                                   leg.departure if fare.window_s is not None else None,
                                   leg.route_id if not fare.allow_same_route else None,
                                   leg.place.through_trips[index])
                add(_Config(used + fare.discounted_transfers if self._budget is not None else 0, None, ticket,
                            started), cost)

    def _through_then(self, through: _Through, leg: _Ride, position: int | None = None) -> _Through:
        return _Through(through.fare, through.position if position is None else position, through.band,
                        through.start, leg.route_id if through.last_route is not None else None,
                        through.trip.then(leg.place.through_trips[through.fare]))

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
            config = _Config(config.used, self._live_prev(config.prev, config.used, now), config.open, config.through)
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
