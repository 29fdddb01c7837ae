"""Properties of every format-2 price, over generated tariffs and itineraries (hypothesis)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import event, given, settings
from hypothesis import strategies as st

from fares.native.v2 import NativeV2Engine, load_native_v2
from fares.network import Network, Pattern, Route, Stop
from fares.price import ItineraryLeg

BERLIN = ZoneInfo("Europe/Berlin")
STOPS = {s.id: s for s in (
    Stop("A", "A", 50.00, 8.00, "1"), Stop("B", "B", 50.02, 8.01, "1"), Stop("C", "C", 50.05, 8.03, "2"),
    Stop("D", "D", 50.09, 8.02, "3"), Stop("E", "E", 50.13, 8.05, None),
)}


def route(route_id: str, operator: str, mode: str, stop_ids: tuple[str, ...]) -> Route:
    offsets = tuple(range(0, 120 * len(stop_ids), 120))
    return Route(route_id, operator, route_id, mode, 600, 0, 86_000,
                 patterns=(Pattern(route_id, 0, stop_ids, offsets), Pattern(route_id, 1, stop_ids[::-1], offsets)))


ROUTES = (
    route("T1", "TAL", "tram", ("A", "B", "C", "D")),
    route("T2", "TAL", "tram", ("B", "C", "D")),
    route("B1", "BVB", "bus", ("A", "C", "E")),
    route("S1", "SWA", "bus", ("A", "B", "D")),
    route("R1", "RBA", "rail", ("A", "C", "D")),
    route("K1", "XCO", "coach", ("A", "D", "E")),
    route("F1", "NOBODY", "ferry", ("B", "D")),  # no product covers it
)
NETWORK = Network(STOPS, {r.id: r for r in ROUTES})
LEGS = [(r.id, a, b) for r in ROUTES for p in r.patterns for i, a in enumerate(p.stop_ids)
        for b in p.stop_ids[i + 1:]]


def amount(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def ratio(thousandths: int) -> str:
    return f"{thousandths // 1000}.{thousandths % 1000:03d}"


money = st.integers(min_value=0, max_value=900)


@st.composite
def packages(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "format": "farebridge-native", "format_version": 2, "name": "generated", "currency": "EUR",
        "timezone": "Europe/Berlin", "valid_from": "2026-01-01",
        "max_discounted_transfers": draw(st.none() | st.integers(min_value=0, max_value=3)),
        "rider_categories": [
            {"id": "adult", "is_default": True},
            {"id": "child", "discount": {"factor": ratio(draw(st.integers(min_value=0, max_value=1000)))}},
            {"id": "senior", "discount": {"amount_off": amount(draw(money))}, "products": ["city", "bus"]},
            {"id": "student", "discount": {"fixed_amount": amount(draw(money))}},
        ],
        "time_bands": [{"id": "peak", "periods": [{"days": ["mon", "tue", "wed", "thu", "fri"],
                                                   "start": "07:00", "end": "09:00"}]}],
        "products": [
            {"id": "city", "scope": {"operators": ["TAL", "BVB"]},
             "fare": {"kind": "zone_count", "fares": [{"zones": n, "amount": amount(draw(money))} for n in (1, 2, 3)]},
             "transfers": {"max_transfers": draw(st.none() | st.integers(min_value=0, max_value=3)),
                           "window_minutes": draw(st.none() | st.integers(min_value=1, max_value=120)),
                           "allow_same_route": draw(st.booleans())}},
            {"id": "rail", "scope": {"operators": ["RBA"]},
             "fare": {"kind": "zone_matrix", "symmetric": True, "cells": [
                 {"from": a, "to": b, "amount": amount(draw(money))}
                 for a, b in (("1", "1"), ("1", "2"), ("1", "3"), ("2", "3"))]}},
            {"id": "bus", "scope": {"operators": ["SWA"]}, "fare": {"kind": "flat", "amount": amount(draw(money))},
             "time_bands": [{"band": "peak", "multiplier": ratio(draw(st.integers(min_value=0, max_value=3000)))}]},
            {"id": "coach", "scope": {"modes": ["coach"]},
             "fare": {"kind": "distance", "base": amount(draw(money)), "per_km": ratio(draw(money)),
                      "rounding": {"mode": draw(st.sampled_from(["up", "down", "half_up"])), "step": "0.10"}}},
            {"id": "day-ticket", "scope": {"operators": ["TAL", "BVB", "RBA", "SWA"]},
             "fare": {"kind": "flat", "amount": amount(draw(st.integers(min_value=0, max_value=2500)))},
             "transfers": {"max_transfers": None, "window_minutes": 240}},
        ],
        "through_fares": [
            {"id": "rail-city", "sequence": ["rail", "city"], "amount": amount(draw(money)),
             "window_minutes": draw(st.none() | st.integers(min_value=1, max_value=120))},
            {"id": "bus-rail-city", "sequence": ["bus", "rail", "city"], "amount": amount(draw(money)),
             "window_minutes": 120},
        ],
        "transfers": [
            {"id": "bus-city", "from_products": ["bus", "city"], "to_products": ["city", "rail"],
             "window_minutes": draw(st.none() | st.integers(min_value=1, max_value=90)),
             "price": draw(st.sampled_from([{"factor": "0.5"}, {"amount_off": "1.00"}, {"amount": "0.30"}]))},
        ],
    }


@st.composite
def itineraries(draw: st.DrawFn) -> list[ItineraryLeg]:
    chosen = draw(st.lists(st.sampled_from(LEGS), min_size=1, max_size=5))
    if draw(st.booleans()):
        return [ItineraryLeg(*leg) for leg in chosen]
    start = datetime(2026, 3, 2, 6, 0, tzinfo=BERLIN) + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60)))
    legs = []
    for leg in chosen:
        start += timedelta(minutes=draw(st.integers(min_value=0, max_value=70)))
        legs.append(ItineraryLeg(*leg, start, start + timedelta(minutes=10)))
    return legs


@settings(max_examples=200, deadline=None)
@given(packages(), itineraries(), st.sampled_from([None, "child", "senior", "student"]))
def test_prices_add_up_and_discounts_never_cost_more_than_standalone_fares(package, legs, category):
    engine = NativeV2Engine(load_native_v2(json.dumps(package), "generated.json"), NETWORK)

    price = engine.price(legs, category)
    event("priced" if price.total is not None else "unpriced")
    event(f"{len(price.products)} product(s) for {len(legs)} leg(s)")

    covered = sorted(i for product in price.products for i in product.leg_indexes)
    assert all(product.amount.minor >= 0 for product in price.products)
    if price.total is None:
        assert price.unpriced_legs
        # legs with a single-leg fare always form a run of their own tickets, so only the others stay unpriced
        assert list(price.unpriced_legs) == [leg.index for leg in price.legs if leg.standalone is None]
        assert set(covered).isdisjoint(price.unpriced_legs)
        assert price.operators == ()
        return
    assert covered == list(range(len(legs)))  # every leg paid for by exactly one product
    assert sum(o.amount.minor for o in price.operators) == price.total.minor
    assert sum(p.amount.minor for p in price.products) == price.total.minor
    standalone_sum = sum(leg.standalone.minor for leg in price.legs)  # type: ignore[union-attr]
    assert price.total.minor <= standalone_sum
    if len(legs) == 1:
        assert price.total == price.legs[0].standalone  # a leg alone is priced by its cheapest ticket
    assert {o.operator_id for o in price.operators} == {leg.operator_id for leg in price.legs}
