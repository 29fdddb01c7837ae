"""The format-2 fare state of a partial journey: exact prices ride by ride, and a dominance that never lies."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from core.errors import NoFareFound
from fares.fare_search import PrefixFareSearch, fare_search_for
from fares.native.v2 import NativeV2Engine, load_native_v2
from fares.native.v2.search_state import NativeV2FareSearch, NativeV2FareState
from fares.price import ItineraryLeg
from tests.fares.native import test_native_v2_poa as poa
from tests.fares.native.test_native_v2_properties import BERLIN, LEGS, NETWORK, packages
from tests.fares.test_demo_tariff_v2 import ENGINE as DEMO_ENGINE

POA_ENGINE = NativeV2Engine(load_native_v2(poa.EXAMPLE.read_text(encoding="utf-8"), poa.EXAMPLE.name), poa.NETWORK)
POA_LEGS = [(r.id, a, b) for r in poa.NETWORK.routes.values() for p in r.patterns
            for i, a in enumerate(p.stop_ids) for b in p.stop_ids[i + 1:]]
DEMO_LEGS = [(r.id, a, b) for r in DEMO_ENGINE.network.routes.values() for p in r.patterns[:1]
             for i, a in enumerate(p.stop_ids[:4]) for b in p.stop_ids[i + 1:i + 3]]
START = datetime(2026, 3, 2, 7, 30, tzinfo=BERLIN)


def total(engine: NativeV2Engine, legs: Sequence[ItineraryLeg], category: str | None = None) -> int | None:
    """The engine's price in minor units, None when the legs cannot be priced (as the contract reads it)."""
    try:
        price = engine.price(legs, category)
    except NoFareFound:
        return None
    return None if price.total is None else price.total.minor


def state_of(search: NativeV2FareSearch, legs: Sequence[ItineraryLeg]) -> NativeV2FareState:
    state = search.initial()
    for leg in legs:
        state = search.extend(state, leg)
    return state


def at_most(a: int | None, b: int | None) -> bool:
    """``a <= b`` where None (no price) is dearer than any price."""
    return b is None or (a is not None and a <= b)


@st.composite
def journeys(draw: st.DrawFn, legs: Sequence[tuple[str, str, str]], start: datetime, *, size: int = 4,
             timed: bool | None = None) -> list[ItineraryLeg]:
    """Rides one after another: each departs no earlier than the previous one arrives (or no times at all)."""
    chosen = draw(st.lists(st.sampled_from(legs), min_size=1, max_size=size))
    if timed is None:
        timed = draw(st.integers(0, 4)) > 0
    if not timed:
        return [ItineraryLeg(*leg) for leg in chosen]
    moment = start + timedelta(minutes=draw(st.integers(0, 30)))
    out = []
    for leg in chosen:
        moment += timedelta(minutes=draw(st.sampled_from([0, 5, 20, 45, 70])))
        arrival = moment + timedelta(minutes=draw(st.sampled_from([10, 30, 75])))
        out.append(ItineraryLeg(*leg, moment, arrival))
        moment = arrival
    return out


@st.composite
def pairs(draw: st.DrawFn, legs: Sequence[tuple[str, str, str]], start: datetime) -> tuple[list[ItineraryLeg], ...]:
    """Two partial journeys to compare; often they end with the same rides, so that their states are close."""
    a = draw(journeys(legs, start, size=3, timed=True))
    b = draw(journeys(legs, start, size=3, timed=True))
    if draw(st.booleans()):
        tail = a[-draw(st.integers(1, len(a))):]
        head = draw(st.lists(st.sampled_from(legs), max_size=2))
        moment = tail[0].departure - timedelta(minutes=draw(st.sampled_from([0, 10, 40])))  # type: ignore[operator]
        earlier = []
        for leg in reversed(head):
            length = timedelta(minutes=draw(st.sampled_from([5, 20])))
            earlier.insert(0, ItineraryLeg(*leg, moment - length, moment))
            moment -= length + timedelta(minutes=draw(st.sampled_from([0, 30])))
        b = earlier + tail
    return a, b


def after(legs: Sequence[ItineraryLeg], rest: Sequence[ItineraryLeg]) -> list[ItineraryLeg]:
    """``rest`` moved so that it departs when ``legs`` has arrived (times kept relative)."""
    ends = [leg.arrival for leg in legs if leg.arrival is not None]
    starts = [leg.departure for leg in rest if leg.departure is not None]
    if not ends or not starts:
        return [ItineraryLeg(leg.route_id, leg.from_stop_id, leg.to_stop_id) for leg in rest]
    shift = max(ends) - min(starts) if max(ends) > min(starts) else timedelta(0)
    return [ItineraryLeg(leg.route_id, leg.from_stop_id, leg.to_stop_id, leg.departure + shift,  # type: ignore[operator]
                         leg.arrival + shift) for leg in rest]  # type: ignore[operator]


def generated_engine(package: dict[str, Any]) -> NativeV2Engine:
    return NativeV2Engine(load_native_v2(json.dumps(package), "generated.json"), NETWORK)


# --- (i) every prefix is priced exactly as the engine prices it --------------------------------------


@settings(max_examples=150, deadline=None)
@given(packages(), journeys(LEGS, START, size=5), st.sampled_from([None, "child", "senior", "student"]))
def test_the_state_pays_exactly_what_the_engine_charges_for_every_prefix(package, legs, category):
    engine = generated_engine(package)
    search = NativeV2FareSearch(engine, category)
    state = search.initial()
    for count, leg in enumerate(legs, start=1):
        state = search.extend(state, leg)
        assert state.paid_minor == total(engine, legs[:count], category)
    event(f"{len(state.entries)} configuration(s)")


@settings(max_examples=80, deadline=None)
@given(journeys(POA_LEGS, poa.MONDAY_8, size=5))
def test_porto_alegre_prefixes_are_priced_exactly(legs):
    search = NativeV2FareSearch(POA_ENGINE)
    state = search.initial()
    for count, leg in enumerate(legs, start=1):
        state = search.extend(state, leg)
        assert state.paid_minor == total(POA_ENGINE, legs[:count])


@settings(max_examples=60, deadline=None)
@given(journeys(DEMO_LEGS, START, size=4), st.sampled_from([None, "child", "senior"]))
def test_demo_prefixes_are_priced_exactly(legs, category):
    search = NativeV2FareSearch(DEMO_ENGINE, category)
    state = search.initial()
    for count, leg in enumerate(legs, start=1):
        state = search.extend(state, leg)
        assert state.paid_minor == total(DEMO_ENGINE, legs[:count], category)


# --- (ii) a dominating state never ends dearer, whatever follows ----------------------------------


def check_dominance(engine: NativeV2Engine, category: str | None, prefixes: list[list[ItineraryLeg]],
                    continuations: list[list[ItineraryLeg]]) -> None:
    """For every pair of the prefixes where one dominates the other, every continuation keeps the order."""
    search = NativeV2FareSearch(engine, category)
    states = [state_of(search, prefix) for prefix in prefixes]
    ends = [leg for prefix in prefixes for leg in prefix]
    rests = [after(ends, rest) for rest in continuations]
    compared = 0
    for a, state_a in zip(prefixes, states, strict=True):
        for b, state_b in zip(prefixes, states, strict=True):
            if a is b or not search.dominates(state_a, state_b):
                continue
            if state_b.paid_minor is not None and state_a.entries != state_b.entries:
                compared += 1
            for rest in rests:
                for count in range(1, len(rest) + 1):
                    assert at_most(total(engine, a + rest[:count], category),
                                   total(engine, b + rest[:count], category)), (a, b, rest[:count])
    event(f"{min(compared, 5)}{'+' if compared >= 5 else ''} pair(s) of different priced states pruned")


@st.composite
def pools(draw: st.DrawFn, legs: Sequence[tuple[str, str, str]],
          start: datetime) -> tuple[list[list[ItineraryLeg]], ...]:
    """Partial journeys to compare (many end with the same rides, so that their states are close) and continuations."""
    prefixes: list[list[ItineraryLeg]] = []
    for _ in range(draw(st.integers(3, 7))):
        a, b = draw(pairs(legs, start))
        prefixes.extend((a, b))
    continuations = draw(st.lists(journeys(legs, start, size=3, timed=True), min_size=1, max_size=4))
    return prefixes, continuations


@settings(max_examples=120, deadline=None)
@given(packages(), pools(LEGS, START), st.sampled_from([None, "child", "senior", "student"]))
def test_a_dominating_state_is_never_dearer_for_any_continuation(package, pool, category):
    check_dominance(generated_engine(package), category, *pool)


@settings(max_examples=80, deadline=None)
@given(pools(POA_LEGS, poa.MONDAY_8))
def test_porto_alegre_dominance_is_exact(pool):
    check_dominance(POA_ENGINE, None, *pool)


@settings(max_examples=40, deadline=None)
@given(pools(DEMO_LEGS, START))
def test_demo_dominance_is_exact(pool):
    check_dominance(DEMO_ENGINE, None, *pool)


# --- (iii) the relaxation: what must stay incomparable, what is pruned -------------------------------


def poa_ride(route_id: str, from_stop: str, to_stop: str, minutes: int, length: int = 15) -> ItineraryLeg:
    start = poa.MONDAY_8 + timedelta(minutes=minutes)
    return ItineraryLeg(route_id, from_stop, to_stop, start, start + timedelta(minutes=length))


def test_a_cheaper_rail_ride_does_not_beat_a_bus_ride_whose_integration_is_still_open():
    search = NativeV2FareSearch(POA_ENGINE)
    rail = state_of(search, [poa_ride("LINHA1", "MR", "RD", 0)])
    bus = state_of(search, [poa_ride("T1", "B1", "MR", 0)])
    assert (rail.paid_minor, bus.paid_minor) == (450, 480)
    assert not search.dominates(rail, bus)  # cheaper now ...
    then_bus = poa_ride("T2", "RD", "B3", 30)
    assert search.extend(bus, then_bus).paid_minor == 720  # ... but bus-bus integrates for 7.20
    assert search.extend(rail, then_bus).paid_minor == 837  # rail-bus for 8.37
    assert not search.dominates(bus, rail)


def test_a_later_first_boarding_keeps_the_window_open_longer_and_wins():
    search = NativeV2FareSearch(POA_ENGINE)
    early = state_of(search, [poa_ride("T1", "B1", "MR", 0)])
    late = state_of(search, [poa_ride("T1", "B1", "MR", 10, length=5)])
    assert early.paid_minor == late.paid_minor == 480
    assert search.dominates(late, early)
    assert not search.dominates(early, late)  # a bus at 8:65 integrates after the later start only


def test_a_single_fare_with_its_budget_left_prunes_a_dearer_integration():
    search = NativeV2FareSearch(POA_ENGINE)
    single = state_of(search, [poa_ride("T1", "B1", "MR", 0)])
    integrated = state_of(search, [poa_ride("T1", "B1", "MR", 0), poa_ride("T2", "RD", "B3", 20)])
    assert (single.paid_minor, integrated.paid_minor) == (480, 720)
    assert search.dominates(single, integrated)
    assert not search.dominates(integrated, single)


def test_a_prefix_that_spent_its_one_discounted_transfer_does_not_prune_a_dearer_one_that_kept_it():
    search = NativeV2FareSearch(POA_ENGINE)
    spent = state_of(search, [poa_ride("T1", "B1", "MR", 0), poa_ride("T2", "RD", "B3", 20, length=70)])
    kept = state_of(search, [poa_ride("LINHA1", "MR", "RD", 0), poa_ride("T2", "RD", "B3", 90, length=70)])
    assert (spent.paid_minor, kept.paid_minor) == (720, 930)  # both windows are over when the rides end
    assert not search.dominates(spent, kept)
    rest = [poa_ride("T1", "B1", "MR", 200), poa_ride("T2", "RD", "B3", 220)]
    assert total(POA_ENGINE, [poa_ride("T1", "B1", "MR", 0), poa_ride("T2", "RD", "B3", 20, length=70), *rest]) == 1680
    assert total(POA_ENGINE, [poa_ride("LINHA1", "MR", "RD", 0), poa_ride("T2", "RD", "B3", 90, length=70),
                              *rest]) == 1650


def test_a_closed_journey_prunes_an_open_discount_that_cannot_make_up_the_difference():
    package = {
        "format": "farebridge-native", "format_version": 2, "name": "bounds", "currency": "EUR",
        "timezone": "Europe/Berlin", "valid_from": "2026-01-01",
        "rider_categories": [{"id": "adult", "is_default": True}],
        "products": [
            {"id": "tram", "scope": {"operators": ["TAL"]}, "fare": {"kind": "flat", "amount": "1.00"}},
            {"id": "bus", "scope": {"operators": ["SWA"]}, "fare": {"kind": "flat", "amount": "3.00"}},
        ],
        "transfers": [{"id": "bus-bus", "from_products": ["bus"], "to_products": ["bus"], "window_minutes": 60,
                       "price": {"amount_off": "1.50"}}],
    }
    engine = generated_engine(package)
    search = NativeV2FareSearch(engine)
    tram = state_of(search, [ItineraryLeg("T1", "A", "D", START, START + timedelta(minutes=10))])
    bus = state_of(search, [ItineraryLeg("S1", "A", "D", START, START + timedelta(minutes=10))])
    assert (tram.paid_minor, bus.paid_minor) == (100, 300)
    # the bus ride may still save 1.50 on the next bus, never the 2.00 it is dearer by: different states, comparable
    assert search.dominates(tram, bus)
    assert not search.dominates(bus, tram)
    pricier_tram = {**package, "products": [{**package["products"][0], "fare": {"kind": "flat", "amount": "1.60"}},
                                            package["products"][1]]}
    search = NativeV2FareSearch(generated_engine(pricier_tram))
    tram = state_of(search, [ItineraryLeg("T1", "A", "D", START, START + timedelta(minutes=10))])
    bus = state_of(search, [ItineraryLeg("S1", "A", "D", START, START + timedelta(minutes=10))])
    assert not search.dominates(tram, bus)  # 1.60 + 3.00 > 3.00 + 1.50: the open discount can win


def test_fewer_zones_on_an_open_zone_ticket_prune_more_zones_on_the_demo_tariff():
    search = NativeV2FareSearch(DEMO_ENGINE)
    zone = {stop_id: stop.zone_id for stop_id, stop in DEMO_ENGINE.network.stops.items()}

    def first_change(stops: tuple[str, ...]) -> int:
        return next((i for i in range(1, len(stops)) if zone[stops[i]] != zone[stops[0]]), 0)

    route = next(r for r in DEMO_ENGINE.network.routes.values() if first_change(r.patterns[0].stop_ids) > 1)
    stops = route.patterns[0].stop_ids
    inside, across = 1, first_change(stops)  # one zone, two zones
    one = state_of(search, [ItineraryLeg(route.id, stops[0], stops[inside], START, START + timedelta(minutes=5))])
    two = state_of(search, [ItineraryLeg(route.id, stops[0], stops[across], START, START + timedelta(minutes=5))])
    assert one.paid_minor is not None and two.paid_minor is not None and one.paid_minor < two.paid_minor
    assert search.dominates(one, two)
    assert not search.dominates(two, one)


def test_an_unpriceable_prefix_is_dominated_by_any_other_and_stays_unpriceable():
    search = NativeV2FareSearch(POA_ENGINE)
    nowhere = state_of(search, [poa_ride("X9", "B1", "B3", 0)])
    bus = state_of(search, [poa_ride("T1", "B1", "MR", 0)])
    assert nowhere.paid_minor is None
    assert search.extend(nowhere, poa_ride("T2", "RD", "B3", 30)).paid_minor is None
    assert search.dominates(bus, nowhere) and not search.dominates(nowhere, bus)


def test_an_unknown_rider_category_leaves_every_prefix_unpriced():
    search = NativeV2FareSearch(POA_ENGINE, "pensioner")
    assert search.initial().paid_minor is None
    assert search.extend(search.initial(), poa_ride("T1", "B1", "MR", 0)).paid_minor is None


@pytest.mark.parametrize("engine", [POA_ENGINE, DEMO_ENGINE])
def test_native_v2_engines_get_their_own_search(engine):
    assert isinstance(fare_search_for(engine), NativeV2FareSearch)
    assert not isinstance(fare_search_for(engine), PrefixFareSearch)
