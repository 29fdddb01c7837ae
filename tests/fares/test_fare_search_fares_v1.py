"""The GTFS Fares v1 fare state of a partial journey: exact prices ride by ride, groups whose fare is in force."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from fares.fare_search import fare_search_for
from fares.gtfs.fares_v1 import FaresV1Engine
from fares.gtfs.fares_v1.search_state import FaresV1FareSearch, FaresV1FareState
from fares.price import ItineraryLeg
from tests.fares.gtfs.test_fares_v1_properties import START, engine  # noqa: F401 -- the feed's engine fixture

RIDES = [("BUS1", "A", "B"), ("BUS1", "B", "C"), ("BUS1", "C", "A"), ("BUS2", "C", "D"), ("BUS2", "D", "C"),
         ("RAIL1", "A", "C"), ("RAIL1", "C", "D"), ("RAIL1", "D", "A"), ("BUS1", "A", "D"), ("TRAM", "A", "B")]


def total(engine: FaresV1Engine, legs: Sequence[ItineraryLeg]) -> int | None:  # noqa: F811
    price = engine.price(legs)
    return None if price.total is None else price.total.minor


def state_of(search: FaresV1FareSearch, legs: Sequence[ItineraryLeg]) -> FaresV1FareState:
    state = search.initial()
    for leg in legs:
        state = search.extend(state, leg)
    return state


def at_most(a: int | None, b: int | None) -> bool:
    return b is None or (a is not None and a <= b)


@st.composite
def journeys(draw: st.DrawFn, size: int = 4, start: int = 0) -> list[ItineraryLeg]:
    """Rides one after another (each departs when or after the previous arrives), sometimes without times."""
    chosen = draw(st.lists(st.sampled_from(RIDES), min_size=1, max_size=size))
    if draw(st.integers(0, 5)) == 0:
        return [ItineraryLeg(*ride) for ride in chosen]
    moment = START + timedelta(minutes=start + draw(st.integers(0, 20)))
    out = []
    for ride in chosen:
        moment += timedelta(minutes=draw(st.integers(0, 40)))
        arrival = moment + timedelta(minutes=draw(st.integers(1, 45)))
        out.append(ItineraryLeg(*ride, moment, arrival))
        moment = arrival
    return out


@settings(max_examples=200, deadline=None)
@given(journeys(6))
def test_the_v1_state_pays_exactly_what_the_v1_engine_charges_for_every_prefix(engine, legs):  # noqa: F811
    search = FaresV1FareSearch(engine)
    state = search.initial()
    for count, leg in enumerate(legs, start=1):
        state = search.extend(state, leg)
        assert state.paid_minor == total(engine, legs[:count]), legs[:count]
    event(f"{len(state.groups)} open group(s)")


@settings(max_examples=150, deadline=None)
@given(st.lists(journeys(3), min_size=4, max_size=10), st.lists(journeys(3), min_size=1, max_size=4))
def test_a_dominating_v1_state_is_never_dearer_for_any_continuation(engine, prefixes, continuations):  # noqa: F811
    search = FaresV1FareSearch(engine)
    states = [state_of(search, prefix) for prefix in prefixes]
    compared = 0
    for a, state_a in zip(prefixes, states, strict=True):
        for b, state_b in zip(prefixes, states, strict=True):
            if a is b or not search.dominates(state_a, state_b):
                continue
            compared += state_a != state_b and state_b.paid_minor is not None
            for rest in continuations:
                if any(leg.departure is None for leg in rest) != any(leg.departure is None for leg in a + b):
                    continue  # mixed known and unknown times: not a journey the planner builds
                rest = after(a + b, rest)
                for count in range(1, len(rest) + 1):
                    assert at_most(total(engine, a + rest[:count]), total(engine, b + rest[:count])), \
                        (a, b, rest[:count])
    event(f"{min(compared, 5)}{'+' if compared >= 5 else ''} pair(s) of different priced states pruned")


def after(legs: Sequence[ItineraryLeg], rest: Sequence[ItineraryLeg]) -> list[ItineraryLeg]:
    """``rest`` moved to depart no earlier than every ride of ``legs`` has arrived (its own gaps kept)."""
    ends = [leg.arrival for leg in legs if leg.arrival is not None]
    if not ends or rest[0].departure is None:
        return list(rest)
    shift = max(ends) - START
    return [ItineraryLeg(leg.route_id, leg.from_stop_id, leg.to_stop_id, leg.departure + shift,  # type: ignore[operator]
                         leg.arrival + shift) for leg in rest]  # type: ignore[operator]


def ride(route_id: str, origin: str, destination: str, minutes: int, length: int = 5) -> ItineraryLeg:
    return ItineraryLeg(route_id, origin, destination, START + timedelta(minutes=minutes),
                        START + timedelta(minutes=minutes + length))


def test_a_cheaper_single_does_not_beat_a_zone_fare_still_in_force(engine):  # noqa: F811
    search = FaresV1FareSearch(engine)
    cheap = state_of(search, [ride("BUS2", "C", "D", 0)])  # 1.70: c23, passing exactly zones 2 and 3
    zonal = state_of(search, [ride("BUS1", "A", "B", 0)])  # 2.00 (single), and zone12 from zone 1 is in force
    assert (cheap.paid_minor, zonal.paid_minor) == (170, 200)
    onward = ride("BUS1", "B", "C", 10)
    assert search.extend(zonal, onward).paid_minor == 240  # zone 1 to 2 with one transfer
    assert search.extend(cheap, onward).paid_minor == 370  # c23 cannot take zone 1: a second fare
    assert not search.dominates(cheap, zonal)
    assert not search.dominates(zonal, cheap)


def test_a_group_boarded_later_keeps_transfer_duration_longer_and_prunes_the_earlier(engine):  # noqa: F811
    search = FaresV1FareSearch(engine)
    early = state_of(search, [ride("BUS1", "A", "B", 0)])
    late = state_of(search, [ride("BUS1", "A", "B", 10)])
    assert early.paid_minor == late.paid_minor == 200
    assert search.dominates(late, early)
    assert not search.dominates(early, late)


def test_once_the_transfer_duration_is_over_the_group_is_forgotten(engine):  # noqa: F811
    search = FaresV1FareSearch(engine)
    short = state_of(search, [ride("RAIL1", "A", "C", 0, length=10)])
    long = state_of(search, [ride("RAIL1", "A", "C", 0, length=70)])  # zone12's 1800 s are over on arrival
    assert short.paid_minor == long.paid_minor == 240  # zone12, zone 1 to 2
    assert short.groups and not long.groups  # no other fare may take a rail ride with a transfer
    assert search.dominates(short, long)
    assert not search.dominates(long, short)


def test_a_transfer_at_the_last_second_of_transfer_duration_still_joins_the_group(engine):  # noqa: F811
    search = FaresV1FareSearch(engine)
    rail = state_of(search, [ride("RAIL1", "A", "C", 0, length=25)])
    onward = ride("BUS1", "B", "C", 30)  # 1800 s after the first departure: zone12 holds, inclusive
    assert search.extend(rail, onward).paid_minor == total(engine, [ride("RAIL1", "A", "C", 0, length=25), onward])
    assert search.extend(rail, onward).paid_minor == 240


def test_a_ride_on_an_unknown_route_leaves_the_journey_unpriced_for_ever(engine):  # noqa: F811
    search = FaresV1FareSearch(engine)
    tram = state_of(search, [ride("TRAM", "A", "B", 0)])
    assert tram.paid_minor is None and not tram.alive
    assert search.extend(tram, ride("BUS1", "A", "B", 10)).paid_minor is None
    assert search.dominates(state_of(search, [ride("BUS1", "A", "B", 0)]), tram)


@pytest.mark.usefixtures("engine")
def test_v1_engines_get_their_own_search(engine):  # noqa: F811
    assert isinstance(fare_search_for(engine), FaresV1FareSearch)
