"""Peak, off-peak and night bands; rider-category discounts. Amounts computed by hand."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.errors import NoFareFound
from core.money import Money
from fares.native.v2 import NativeV2Engine, load_native_v2
from fares.network import Network, Pattern, Route, Stop
from fares.price import ItineraryLeg

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
EVERY_DAY = [*WEEKDAYS, "sat", "sun"]

STOPS = {s.id: s for s in (Stop("A", "A", 50.0, 8.0, "1"), Stop("B", "B", 50.01, 8.0, "1"),
                           Stop("C", "C", 50.02, 8.0, "2"), Stop("D", "D", 50.03, 8.0, "3"))}


def route(route_id: str, operator: str, mode: str) -> Route:
    stop_ids = ("A", "B", "C", "D")
    return Route(route_id, operator, route_id, mode, 600, 0, 86_000,
                 patterns=(Pattern(route_id, 0, stop_ids, (0, 60, 120, 180)),
                           Pattern(route_id, 1, stop_ids[::-1], (0, 60, 120, 180))))


NETWORK = Network(STOPS, {r.id: r for r in (route("T1", "TAL", "tram"), route("T2", "TAL", "tram"),
                                            route("BUS", "BVB", "bus"))})


def engine_for(products: list[dict[str, Any]], **extra: Any) -> NativeV2Engine:
    package = {
        "format": "farebridge-native", "format_version": 2, "name": "T", "currency": "EUR",
        "timezone": "Europe/Berlin", "valid_from": "2026-01-01",
        "rider_categories": [{"id": "adult", "is_default": True}],
        "time_bands": [
            {"id": "peak", "name": "Peak", "periods": [{"days": WEEKDAYS, "start": "06:30", "end": "09:00"}]},
            {"id": "night", "name": "Night", "periods": [{"days": EVERY_DAY, "start": "22:00", "end": "04:30"}]},
            {"id": "friday-night", "periods": [{"days": ["fri"], "start": "23:00", "end": "02:00"}]},
        ],
        "products": products,
        **extra,
    }
    return NativeV2Engine(load_native_v2(json.dumps(package), "t.json"), NETWORK)


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """March 2026: the 2nd is a Monday."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=BERLIN)


def ride(when: datetime | None, route_id: str = "T1", from_stop: str = "A", to_stop: str = "B") -> ItineraryLeg:
    return ItineraryLeg(route_id, from_stop, to_stop, when, None if when is None else when + timedelta(minutes=5))


BANDED = {"id": "tram", "scope": {"operators": ["TAL"]}, "fare": {"kind": "flat", "amount": "2.00"},
          "time_bands": [{"band": "peak", "multiplier": "1.25"}, {"band": "night", "amount": "1.50"}]}


@pytest.mark.parametrize(("when", "amount"), [
    (at(3, 6, 29, 59), "2.00"),  # Tuesday, a second before the peak
    (at(3, 6, 30), "2.50"),  # start inclusive: 2.00 x 1.25
    (at(3, 8, 59, 59), "2.50"),
    (at(3, 9, 0), "2.00"),  # end exclusive
    (at(7, 7, 0), "2.00"),  # Saturday is not in the weekday set
    (at(3, 23, 0), "1.50"),  # night, a separate amount
    (at(4, 4, 29), "1.50"),  # Wednesday early morning: Tuesday's night runs past midnight
    (at(4, 4, 30), "2.00"),
    (at(9, 2, 0), "1.50"),  # Monday 02:00 belongs to Sunday's night
])
def test_time_bands_hold_from_start_inclusive_to_end_exclusive(when, amount):
    price = engine_for([BANDED]).price([ride(when)])

    assert price.total == eur(amount)


def test_the_band_explains_itself_and_is_named_in_the_rules():
    price = engine_for([BANDED]).price([ride(at(3, 7, 0))])

    assert price.products[0].rules == ("tram", "peak")
    assert price.rules[0] == ("tram (tram), leg 0: flat fare 2.00 EUR; time band peak (Peak): x 1.25, rounded half up "
                              "to the minor unit = 2.50 EUR => 2.50 EUR")


def test_a_night_period_past_midnight_counts_from_the_listed_day_only():
    product = {**BANDED, "time_bands": [{"band": "friday-night", "amount": "1.00"}]}
    engine = engine_for([product])

    assert engine.price([ride(at(7, 1, 0))]).total == eur("1.00")  # Saturday 01:00, after Friday 23:00
    assert engine.price([ride(at(6, 1, 0))]).total == eur("2.00")  # Friday 01:00: Thursday is not listed
    assert engine.price([ride(at(6, 23, 30))]).total == eur("1.00")


def test_aware_departures_are_converted_to_the_tariff_timezone():
    # 05:45 UTC is 06:45 in Berlin in March (CET, UTC+1): peak
    departure = datetime(2026, 3, 3, 5, 45, tzinfo=UTC)

    assert engine_for([BANDED]).price([ride(departure)]).total == eur("2.50")


def test_an_unknown_departure_pays_the_highest_band():
    price = engine_for([BANDED]).price([ride(None)])

    assert price.total == eur("2.50")
    assert "departure time unknown: the highest time-band amount, 2.50 EUR" in price.rules[0]


def test_a_multiplier_rounds_half_up_to_the_cent():
    product = {**BANDED, "fare": {"kind": "flat", "amount": "2.90"}}  # 2.90 x 1.25 = 3.625

    assert engine_for([product]).price([ride(at(3, 7, 0))]).total == eur("3.63")


def test_a_band_may_have_its_own_zone_table():
    product = {
        "id": "zones", "scope": {},
        "fare": {"kind": "zone_count", "fares": [{"zones": 1, "amount": "2.40"}, {"zones": 2, "amount": "3.10"}]},
        "time_bands": [{"band": "night", "fare": {"kind": "zone_count", "fares": [
            {"zones": 1, "amount": "1.90"}, {"zones": 2, "amount": "2.20"}]}}],
    }
    engine = engine_for([product])

    assert engine.price([ride(at(3, 12, 0), to_stop="C")]).total == eur("3.10")
    assert engine.price([ride(at(3, 23, 0), to_stop="C")]).total == eur("2.20")


# --- rider categories -----------------------------------------------------------------

TRAM = {"id": "tram", "scope": {"operators": ["TAL"]}, "fare": {"kind": "flat", "amount": "3.75"}}
BUS = {"id": "bus", "scope": {"operators": ["BVB"]}, "fare": {"kind": "flat", "amount": "1.20"}}


def with_categories(*categories: dict[str, Any], products: list[dict[str, Any]] | None = None) -> NativeV2Engine:
    return engine_for(products or [TRAM, BUS],
                      rider_categories=[{"id": "adult", "is_default": True}, *categories])


@pytest.mark.parametrize(("discount", "tram", "bus"), [
    ({"factor": "0.5"}, "1.88", "0.60"),  # 3.75 x 0.5 = 1.875 -> half up 1.88
    ({"amount_off": "1.00"}, "2.75", "0.20"),
    ({"amount_off": "5.00"}, "0.00", "0.00"),  # never below zero
    ({"fixed_amount": "1.50"}, "1.50", "1.20"),  # the adult amount when it is lower
])
def test_category_discounts(discount, tram, bus):
    engine = with_categories({"id": "reduced", "discount": discount})

    assert engine.price([ride(at(3, 12))], "reduced").total == eur(tram)
    assert engine.price([ride(at(3, 12), "BUS")], "reduced").total == eur(bus)
    assert engine.price([ride(at(3, 12))]).total == eur("3.75")


def test_a_category_discount_applies_to_each_product_and_is_explained():
    engine = with_categories({"id": "child", "discount": {"factor": "0.5"}})

    price = engine.price([ride(at(3, 12)), ride(at(3, 12, 30), "BUS", "B", "C")], "child")

    assert price.rider_category == "child"
    assert [(p.id, p.amount, p.rider_category) for p in price.products] == [
        ("tram", eur("1.88"), "child"), ("bus", eur("0.60"), "child")]
    assert price.total == eur("2.48")
    assert [leg.standalone for leg in price.legs] == [eur("1.88"), eur("0.60")]
    assert price.products[0].rules == ("tram", "child")
    assert "rider category child: factor 0.5 of the adult fare, rounded half up to the minor unit" in price.rules


def test_a_category_limited_to_some_products_pays_the_adult_fare_elsewhere():
    engine = with_categories({"id": "student", "discount": {"factor": "0.5"}, "products": ["bus"]})

    price = engine.price([ride(at(3, 12)), ride(at(3, 12, 30), "BUS", "B", "C")], "student")

    assert [p.amount for p in price.products] == [eur("3.75"), eur("0.60")]


def test_the_default_category_applies_when_none_is_named_and_unknown_ones_are_refused():
    engine = with_categories({"id": "child", "discount": {"factor": "0.5"}})

    assert engine.price([ride(at(3, 12))]).rider_category == "adult"
    with pytest.raises(NoFareFound) as caught:
        engine.price([ride(at(3, 12))], "pensioner")
    assert caught.value.code == "unknown_rider_category"


def test_a_category_can_make_another_combination_the_cheapest():
    # adult: one ticket for both legs (3.00) beats two (1.60 + 1.60); with 1.00 off each product the two are cheaper
    products = [
        {"id": "single", "scope": {}, "fare": {"kind": "flat", "amount": "1.60"}},
        {"id": "hopper", "scope": {}, "fare": {"kind": "flat", "amount": "3.00"},
         "transfers": {"max_transfers": 1, "window_minutes": 60}},
    ]
    engine = with_categories({"id": "senior", "discount": {"amount_off": "1.00"}}, products=products)
    legs = [ride(at(3, 12)), ride(at(3, 12, 20), "T2", "B", "C")]

    adult = engine.price(legs)
    senior = engine.price(legs, "senior")

    assert (adult.total, [p.id for p in adult.products]) == (eur("3.00"), ["hopper"])
    assert (senior.total, [p.id for p in senior.products]) == (eur("1.20"), ["single", "single"])
