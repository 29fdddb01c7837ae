"""Zone-count, zone-matrix and distance fares, with amounts computed by hand."""
from __future__ import annotations

import json
from typing import Any

import pytest

from core.money import Money
from fares.native.v2 import NativeV2Engine, load_native_v2
from fares.native.v2.distance import haversine_m, path_length_m
from fares.network import Network, Pattern, Route, Stop
from fares.price import ItineraryLeg

# A tram through zones 1, 1, 2, 3 (and a stop without zone), and a coach due north along 8°E:
# along a meridian the haversine distance is R × Δφ = 6,371,000 m × π/180 = 111,194.93 m per degree.
STOPS = [
    Stop("A", "A", 50.00, 8.00, "1"), Stop("B", "B", 50.01, 8.00, "1"), Stop("C", "C", 50.02, 8.00, "2"),
    Stop("D", "D", 50.03, 8.00, "3"), Stop("N", "no zone", 50.04, 8.00, None),
    Stop("K0", "K0", 50.00, 8.00), Stop("KA", "KA", 50.01, 8.00), Stop("K1", "K1", 50.10, 8.00),
    Stop("K2", "K2", 50.25, 8.00), Stop("K3", "K3", 51.00, 8.00),
]


def route(route_id: str, operator: str, mode: str, stop_ids: list[str]) -> Route:
    offsets = tuple(range(0, 60 * len(stop_ids), 60))
    return Route(route_id, operator, route_id, mode, 600, 0, 86_000, patterns=(
        Pattern(route_id, 0, tuple(stop_ids), offsets), Pattern(route_id, 1, tuple(reversed(stop_ids)), offsets)))


NETWORK = Network(
    {s.id: s for s in STOPS},
    {r.id: r for r in (route("T", "TAL", "tram", ["A", "B", "C", "D", "N"]),
                       route("K", "XCO", "coach", ["K0", "KA", "K1", "K2", "K3"]))},
)


def engine_for(*products: dict[str, Any]) -> NativeV2Engine:
    package = {
        "format": "farebridge-native", "format_version": 2, "name": "T", "currency": "EUR",
        "timezone": "Europe/Berlin", "valid_from": "2026-01-01",
        "rider_categories": [{"id": "adult", "is_default": True}], "products": list(products),
    }
    return NativeV2Engine(load_native_v2(json.dumps(package), "t.json"), NETWORK)


def total(engine: NativeV2Engine, route_id: str, from_stop: str, to_stop: str) -> Money | None:
    return engine.price([ItineraryLeg(route_id, from_stop, to_stop)]).total


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


ZONE_COUNT = {"id": "zones", "scope": {"operators": ["TAL"]}, "fare": {"kind": "zone_count", "fares": [
    {"zones": 1, "amount": "2.40"}, {"zones": 2, "amount": "3.10"}, {"zones": 3, "amount": "3.90"}]}}


@pytest.mark.parametrize(("from_stop", "to_stop", "amount", "zones"), [
    ("A", "B", "2.40", ("1",)),
    ("A", "C", "3.10", ("1", "2")),
    ("A", "D", "3.90", ("1", "2", "3")),  # B and C count as they are passed
    ("D", "B", "3.90", ("3", "2", "1")),
])
def test_zone_count_fares_count_every_zone_passed(from_stop, to_stop, amount, zones):
    price = engine_for(ZONE_COUNT).price([ItineraryLeg("T", from_stop, to_stop)])

    assert price.total == eur(amount)
    assert price.legs[0].zones == zones
    assert price.products[0].id == "zones"
    assert "zone count: " in price.rules[0]


def test_more_zones_than_listed_pay_the_last_entry():
    short = {**ZONE_COUNT, "fare": {"kind": "zone_count", "fares": [{"zones": 1, "amount": "2.40"},
                                                                    {"zones": 2, "amount": "3.10"}]}}

    assert total(engine_for(short), "T", "A", "D") == eur("3.10")


def test_a_stop_without_zone_leaves_a_zone_count_fare_unpriced():
    price = engine_for(ZONE_COUNT).price([ItineraryLeg("T", "C", "N")])

    assert price.total is None and price.unpriced_legs == (0,)


MATRIX_CELLS = [{"from": "1", "to": "2", "amount": "3.70"}, {"from": "1", "to": "3", "amount": "4.80"},
                {"from": "2", "to": "2", "amount": "2.90"}]


def matrix(symmetric: bool) -> dict[str, Any]:
    return {"id": "matrix", "scope": {"modes": ["tram"]},
            "fare": {"kind": "zone_matrix", "symmetric": symmetric, "cells": MATRIX_CELLS}}


def test_a_zone_matrix_prices_from_the_first_zone_to_the_last():
    engine = engine_for(matrix(symmetric=False))

    assert total(engine, "T", "A", "C") == eur("3.70")
    assert total(engine, "T", "B", "D") == eur("4.80")  # zones passed in between do not matter
    assert total(engine, "T", "C", "A") is None  # no 2 -> 1 cell
    assert total(engine, "T", "A", "B") is None  # no 1 -> 1 cell
    assert "zone matrix: 1 -> 3 = 4.80 EUR" in engine.price([ItineraryLeg("T", "B", "D")]).rules[0]


def test_a_symmetric_zone_matrix_prices_both_ways():
    engine = engine_for(matrix(symmetric=True))

    assert total(engine, "T", "C", "A") == eur("3.70")
    assert total(engine, "T", "D", "A") == eur("4.80")
    assert total(engine, "T", "A", "B") is None  # symmetry does not invent a 1 -> 1 cell


def test_haversine_along_a_meridian_is_radius_times_latitude_difference():
    assert haversine_m(STOPS[5], STOPS[7]) == pytest.approx(11_119.49, abs=0.01)
    assert path_length_m([STOPS[5], STOPS[6], STOPS[7], STOPS[8]]) == 27_799  # 0.25° = 27,798.73 m


def distance(**fare: Any) -> dict[str, Any]:
    return {"id": "coach", "scope": {"operators": ["XCO"]}, "fare": {"kind": "distance", **fare}}


COACH = distance(base="1.50", per_km="0.18", rounding={"mode": "up", "step": "0.10"}, minimum="2.00",
                 maximum="12.00")


@pytest.mark.parametrize(("to_stop", "amount"), [
    ("KA", "2.00"),  # 1,112 m: 1.50 + 0.20016 = 1.70016 -> up 1.80 -> minimum 2.00
    ("K1", "3.60"),  # 11,119 m: 1.50 + 2.00142 = 3.50142 -> up 3.60
    ("K2", "6.60"),  # 27,799 m: 1.50 + 5.00382 = 6.50382 -> up 6.60
    ("K3", "12.00"),  # 111,195 m: 1.50 + 20.0151 = 21.5151 -> up 21.60 -> maximum 12.00
])
def test_distance_fares_are_base_plus_per_km_rounded_up_then_clamped(to_stop, amount):
    price = engine_for(COACH).price([ItineraryLeg("K", "K0", to_stop)])

    assert price.total == eur(amount)
    assert price.products[0].id == "coach"


def test_distance_is_measured_along_the_stops_not_as_the_crow_flies():
    # K2 -> K0 backwards: the same 27,799 m
    assert total(engine_for(COACH), "K", "K2", "K0") == eur("6.60")


@pytest.mark.parametrize(("rounding", "amount"), [
    ({"mode": "up", "step": "0.10"}, "3.60"),  # 11,119 m at 0.185: 1.50 + 2.057015 = 3.557015
    ({"mode": "down", "step": "0.10"}, "3.50"),
    ({"mode": "half_up", "step": "0.10"}, "3.60"),
    ({"mode": "half_up", "step": "0.05"}, "3.55"),
    (None, "3.56"),  # default: half up to the cent
])
def test_distance_rounding_modes(rounding, amount):
    fare = distance(base="1.50", per_km="0.185", **({"rounding": rounding} if rounding else {}))

    assert total(engine_for(fare), "K", "K0", "K1") == eur(amount)


def test_the_distance_explanation_shows_the_arithmetic():
    rule = engine_for(COACH).price([ItineraryLeg("K", "K0", "K2")]).rules[0]

    assert rule == ("coach (coach), leg 0: distance 27.799 km: 1.50 + 0.18 per km, rounded up to 0.10, "
                    "minimum 2.00, maximum 12.00 = 6.60 EUR => 6.60 EUR")


def test_the_cheapest_product_wins_when_several_cover_a_leg():
    flat = {"id": "flat", "scope": {}, "fare": {"kind": "flat", "amount": "3.00"}}
    engine = engine_for(ZONE_COUNT, flat)

    short = engine.price([ItineraryLeg("T", "A", "B")])
    assert (short.products[0].id, short.legs[0].standalone) == ("zones", eur("2.40"))  # 2.40 < 3.00
    assert engine.price([ItineraryLeg("T", "A", "D")]).products[0].id == "flat"  # 3.00 < 3.90
    assert engine.price([ItineraryLeg("K", "K0", "K1")]).products[0].id == "flat"  # only flat covers XCO
