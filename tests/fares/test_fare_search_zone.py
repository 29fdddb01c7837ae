"""The native format-1 fare state of a partial journey: the zones touched, exact and comparable by subset."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from fractions import Fraction

from hypothesis import event, given, settings
from hypothesis import strategies as st

from core.errors import NoFareFound
from fares.engines import ZoneTariffEngine
from fares.fare_search import fare_search_for
from fares.price import ItineraryLeg
from fares.tariff import RiderCategory, ZoneTariff
from fares.zone_search_state import ZoneFareSearch, ZoneFareState
from tests.fares.test_demo_tariff_v2 import FORMAT_1, NETWORK

BERLIN_8 = datetime.fromisoformat("2026-03-02T08:00:00+01:00")
LEGS = [(r.id, p.stop_ids[i], p.stop_ids[j]) for r in sorted(NETWORK.routes.values(), key=lambda r: r.id)
        for p in r.patterns[:1] for i in range(len(p.stop_ids)) for j in range(i + 1, min(len(p.stop_ids), i + 4))]
DEMO = ZoneTariffEngine(FORMAT_1, NETWORK)


def total(engine: ZoneTariffEngine, legs: Sequence[ItineraryLeg], category: str | None = None) -> int | None:
    try:
        price = engine.price(legs, category)
    except NoFareFound:
        return None
    return None if price.total is None else price.total.minor


def state_of(search: ZoneFareSearch, legs: Sequence[ItineraryLeg]) -> ZoneFareState:
    state = search.initial()
    for leg in legs:
        state = search.extend(state, leg)
    return state


def at_most(a: int | None, b: int | None) -> bool:
    return b is None or (a is not None and a <= b)


@st.composite
def tariffs(draw: st.DrawFn) -> ZoneTariff:
    """Zone fares that may fall with more zones (a tariff may say so), and a category factor."""
    fares = tuple(draw(st.lists(st.integers(0, 900), min_size=1, max_size=6)))
    factor = Fraction(draw(st.integers(0, 1000)), 1000)
    return ZoneTariff("generated", "EUR", fares, (RiderCategory("adult", "Adult", Fraction(1), True),
                                                  RiderCategory("reduced", "Reduced", factor)), date(2026, 1, 1))


@st.composite
def journeys(draw: st.DrawFn, size: int = 4) -> list[ItineraryLeg]:
    chosen = draw(st.lists(st.sampled_from(LEGS), min_size=1, max_size=size))
    moment = BERLIN_8
    out = []
    for leg in chosen:
        out.append(ItineraryLeg(*leg, moment, moment + timedelta(minutes=10)))
        moment += timedelta(minutes=15)
    return out


@settings(max_examples=150, deadline=None)
@given(tariffs(), journeys(5), st.sampled_from([None, "reduced"]))
def test_the_zone_state_pays_exactly_what_the_zone_engine_charges_for_every_prefix(tariff, legs, category):
    engine = ZoneTariffEngine(tariff, NETWORK)
    search = ZoneFareSearch(engine, category)
    state = search.initial()
    for count, leg in enumerate(legs, start=1):
        state = search.extend(state, leg)
        assert state.paid_minor == total(engine, legs[:count], category)


@settings(max_examples=120, deadline=None)
@given(tariffs(), st.lists(journeys(3), min_size=4, max_size=10), st.lists(journeys(3), min_size=1, max_size=4),
       st.sampled_from([None, "reduced"]))
def test_a_dominating_zone_state_is_never_dearer_for_any_continuation(tariff, prefixes, continuations, category):
    engine = ZoneTariffEngine(tariff, NETWORK)
    search = ZoneFareSearch(engine, category)
    states = [state_of(search, prefix) for prefix in prefixes]
    compared = 0
    for a, state_a in zip(prefixes, states, strict=True):
        for b, state_b in zip(prefixes, states, strict=True):
            if a is b or not search.dominates(state_a, state_b):
                continue
            compared += state_a.zones != state_b.zones and state_b.paid_minor is not None
            for rest in continuations:
                for count in range(1, len(rest) + 1):
                    assert at_most(total(engine, a + rest[:count], category), total(engine, b + rest[:count], category))
    event(f"{min(compared, 5)}{'+' if compared >= 5 else ''} pair(s) with different zones pruned")


def zone_ride(zones: int) -> ItineraryLeg:
    """A ride from the first stop of a demo line through ``zones`` zones."""
    for route_id, origin, destination in LEGS:
        stops = NETWORK.stops_between(route_id, origin, destination) or ()
        touched = {NETWORK.stops[s].zone_id for s in stops}
        if len(touched) == zones and None not in touched:
            return ItineraryLeg(route_id, origin, destination, BERLIN_8, BERLIN_8 + timedelta(minutes=10))
    raise AssertionError(f"no demo ride through {zones} zones")


def test_fewer_zones_cost_less_now_but_stay_incomparable_with_other_zones():
    search = ZoneFareSearch(DEMO)
    one = state_of(search, [zone_ride(1)])
    two = state_of(search, [zone_ride(2)])
    assert one.paid_minor is not None and two.paid_minor is not None and one.paid_minor < two.paid_minor
    if not one.zones <= two.zones:  # type: ignore[operator]
        assert not search.dominates(one, two)  # a ride back through two's zones would cost one a third zone
    assert not search.dominates(two, one)


def test_a_subset_of_zones_prunes_the_superset():
    search = ZoneFareSearch(DEMO)

    def zones(route_id: str, origin: str, destination: str) -> set[str | None]:
        return {NETWORK.stops[s].zone_id for s in NETWORK.stops_between(route_id, origin, destination) or ()}

    part, whole = next(
        (ItineraryLeg(r, o, m, BERLIN_8, BERLIN_8), ItineraryLeg(r, o, d, BERLIN_8, BERLIN_8))
        for r, o, d in LEGS for r2, o2, m in LEGS
        if (r2, o2) == (r, o) and len(zones(r, o, d)) == 2 and len(zones(r, o, m)) == 1
        and zones(r, o, m) < zones(r, o, d)
    )
    small, large = state_of(search, [part]), state_of(search, [whole])
    assert small.zones is not None and large.zones is not None and small.zones < large.zones
    assert search.dominates(small, large)
    assert not search.dominates(large, small)


def test_a_journey_at_the_last_zone_fare_is_beaten_by_any_when_fares_never_fall():
    tariff = ZoneTariff("capped", "EUR", (100, 200), (RiderCategory("adult", "Adult", Fraction(1), True),),
                        date(2026, 1, 1))
    search = ZoneFareSearch(ZoneTariffEngine(tariff, NETWORK))
    many = state_of(search, [zone_ride(3)])
    other = state_of(search, [zone_ride(1)])
    assert many.paid_minor == 200
    assert search.dominates(other, many)


def test_falling_zone_fares_keep_different_zones_apart():
    tariff = ZoneTariff("falling", "EUR", (300, 100), (RiderCategory("adult", "Adult", Fraction(1), True),),
                        date(2026, 1, 1))
    search = ZoneFareSearch(ZoneTariffEngine(tariff, NETWORK))
    one = state_of(search, [zone_ride(1)])
    two = state_of(search, [zone_ride(2)])
    assert (one.paid_minor, two.paid_minor) == (300, 100)
    assert not search.dominates(one, two)  # a subset, but more zones may cost less
    assert search.dominates(two, one)  # two is at the last entry: it pays 1.00 for ever


def test_zone_engines_get_the_zone_search_and_unknown_categories_price_nothing():
    assert isinstance(fare_search_for(DEMO), ZoneFareSearch)
    search = ZoneFareSearch(DEMO, "pensioner")
    assert search.extend(search.initial(), zone_ride(1)).paid_minor is None
