"""Free transfers within one ticket, discounted next tickets, through fares and the discount budget."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.money import Money
from fares.native.v2 import NativeV2Engine, load_native_v2
from fares.network import Network, Pattern, Route, Stop
from fares.price import ItineraryLeg

BERLIN = ZoneInfo("Europe/Berlin")
NOON = datetime(2026, 3, 3, 12, 0, tzinfo=BERLIN)
STOPS = {s.id: s for s in (Stop("A", "A", 50.0, 8.0, "1"), Stop("B", "B", 50.01, 8.0, "2"),
                           Stop("C", "C", 50.02, 8.0, "3"), Stop("D", "D", 50.03, 8.0, "3"))}


def route(route_id: str, operator: str, mode: str) -> Route:
    stop_ids = ("A", "B", "C", "D")
    return Route(route_id, operator, route_id, mode, 600, 0, 86_000,
                 patterns=(Pattern(route_id, 0, stop_ids, (0, 60, 120, 180)),
                           Pattern(route_id, 1, stop_ids[::-1], (0, 60, 120, 180))))


NETWORK = Network(STOPS, {r.id: r for r in (route("T1", "TAL", "tram"), route("T2", "TAL", "tram"),
                                            route("T3", "TAL", "tram"), route("S1", "SWA", "bus"),
                                            route("S2", "SWA", "bus"), route("R", "RBA", "rail"))})

CITY = {"id": "city", "scope": {"operators": ["TAL"]},
        "fare": {"kind": "zone_count", "fares": [{"zones": 1, "amount": "2.40"}, {"zones": 2, "amount": "3.10"},
                                                 {"zones": 3, "amount": "3.90"}]}}
BUS = {"id": "bus", "scope": {"operators": ["SWA"]}, "fare": {"kind": "flat", "amount": "2.20"}}
RAIL = {"id": "rail", "scope": {"operators": ["RBA"]}, "fare": {"kind": "flat", "amount": "4.00"}}


def engine_for(products: list[dict[str, Any]], **extra: Any) -> NativeV2Engine:
    package = {
        "format": "farebridge-native", "format_version": 2, "name": "T", "currency": "EUR",
        "timezone": "Europe/Berlin", "valid_from": "2026-01-01",
        "rider_categories": [{"id": "adult", "is_default": True}], "products": products, **extra,
    }
    return NativeV2Engine(load_native_v2(json.dumps(package), "t.json"), NETWORK)


def ride(route_id: str, from_stop: str, to_stop: str, minutes: int | None) -> ItineraryLeg:
    if minutes is None:
        return ItineraryLeg(route_id, from_stop, to_stop)
    start = NOON + timedelta(minutes=minutes)
    return ItineraryLeg(route_id, from_stop, to_stop, start, start + timedelta(minutes=10))


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def shape(price) -> list[tuple[str, tuple[int, ...], Money]]:
    return [(p.id, p.leg_indexes, p.amount) for p in price.products]


# --- one ticket, several legs ------------------------------------------------------------

HOPPER = {**CITY, "transfers": {"max_transfers": 1, "window_minutes": 60, "allow_same_route": False}}


def test_one_ticket_covers_a_transfer_within_its_window():
    price = engine_for([HOPPER]).price([ride("T1", "A", "B", 0), ride("T2", "B", "C", 60)])

    # zones 1, 2 and 3 of both legs: one 3-zone ticket (3.90) instead of 3.10 + 3.10
    assert shape(price) == [("city", (0, 1), eur("3.90"))]
    assert "one ticket with up to 1 transfer(s) within 60 min of the first boarding" in price.rules[0]


def test_after_the_window_a_second_ticket_is_needed():
    price = engine_for([HOPPER]).price([ride("T1", "A", "B", 0), ride("T2", "B", "C", 61)])

    assert shape(price) == [("city", (0,), eur("3.10")), ("city", (1,), eur("3.10"))]


def test_more_transfers_than_allowed_need_another_ticket_and_the_first_covers_most():
    price = engine_for([HOPPER]).price([ride("T1", "A", "B", 0), ride("T2", "B", "C", 10), ride("T3", "C", "D", 20)])

    # (legs 0-1: 3 zones 3.90) + (leg 2: 1 zone 2.40) = 6.30; (0) 3.10 + (1-2) 3.10 = 6.20 is cheaper
    assert shape(price) == [("city", (0,), eur("3.10")), ("city", (1, 2), eur("3.10"))]


def test_a_ticket_does_not_cover_a_ride_back_on_the_same_route_when_not_allowed():
    price = engine_for([HOPPER]).price([ride("T1", "A", "B", 0), ride("T1", "B", "A", 20)])

    assert shape(price) == [("city", (0,), eur("3.10")), ("city", (1,), eur("3.10"))]


def test_a_window_needs_known_times_but_a_ticket_without_window_does_not():
    legs = [ride("T1", "A", "B", None), ride("T2", "B", "C", None)]

    assert engine_for([HOPPER]).price(legs).total == eur("6.20")
    unlimited = {**CITY, "transfers": {"max_transfers": None, "window_minutes": None}}
    assert engine_for([unlimited]).price(legs).total == eur("3.90")


# --- discounted next tickets -------------------------------------------------------------


def transfer(price: dict[str, str], window: int | None = 45, **extra: Any) -> dict[str, Any]:
    return {"id": "bus-city", "from_products": ["bus"], "to_products": ["city"], "window_minutes": window,
            "price": price, **extra}


@pytest.mark.parametrize(("price", "city"), [
    ({"factor": "0.5"}, "1.20"),
    ({"amount_off": "1.00"}, "1.40"),
    ({"amount": "0.00"}, "0.00"),
    ({"amount": "3.00"}, "2.40"),  # a transfer price above the ticket's own is no discount
])
def test_a_ticket_after_another_within_the_window_is_discounted(price, city):
    engine = engine_for([BUS, CITY], transfers=[transfer(price)])

    result = engine.price([ride("S1", "A", "B", 0), ride("T1", "C", "D", 45)])

    assert shape(result) == [("bus", (0,), eur("2.20")), ("city", (1,), eur(city))]
    assert result.total == eur("2.20") + eur(city)


def test_the_discount_is_named_and_explained():
    engine = engine_for([BUS, CITY], transfers=[transfer({"factor": "0.5"})])

    price = engine.price([ride("S1", "A", "B", 0), ride("T1", "C", "D", 30)])

    assert price.products[1].rules == ("city", "bus-city")
    assert price.legs[1].rules == ("city", "bus-city")
    assert price.legs[1].standalone == eur("2.40")  # the weight stays the undiscounted fare
    assert "transfer bus-city after bus (leg 0): factor 0.5 of the next ticket, rounded half up when boarded within " \
           "45 min: 2.40 EUR -> 1.20 EUR" in price.rules[1]


def test_no_discount_after_the_window_in_the_wrong_direction_or_back_on_the_same_route():
    engine = engine_for([BUS, CITY], transfers=[transfer({"factor": "0.5"})])

    assert engine.price([ride("S1", "A", "B", 0), ride("T1", "C", "D", 46)]).total == eur("4.60")
    assert engine.price([ride("T1", "C", "D", 0), ride("S1", "A", "B", 10)]).total == eur("4.60")
    rule = transfer({"factor": "0.5"}, to_products=["bus2", "bus"], allow_same_route=False)
    same_route = engine_for([BUS, {**BUS, "id": "bus2"}], transfers=[rule])
    assert same_route.price([ride("S1", "A", "B", 0), ride("S1", "B", "A", 10)]).total == eur("4.40")
    assert same_route.price([ride("S1", "A", "B", 0), ride("S2", "B", "A", 10)]).total == eur("3.30")


ANY_HALF = {"id": "half", "from_products": ["bus"], "to_products": ["bus"], "window_minutes": 60,
            "price": {"factor": "0.5"}}


@pytest.mark.parametrize(("limit", "total"), [(0, "6.60"), (1, "5.50"), (2, "4.40"), (None, "4.40")])
def test_max_discounted_transfers_limits_the_discounts_of_a_journey(limit, total):
    engine = engine_for([BUS], transfers=[ANY_HALF], max_discounted_transfers=limit)

    price = engine.price([ride("S1", "A", "B", 0), ride("S2", "B", "C", 10), ride("S1", "C", "D", 20)])

    assert price.total == eur(total)


def test_with_one_discount_it_goes_to_the_first_transfer_among_equals():
    engine = engine_for([BUS], transfers=[ANY_HALF], max_discounted_transfers=1)

    price = engine.price([ride("S1", "A", "B", 0), ride("S2", "B", "C", 10), ride("S1", "C", "D", 20)])

    assert [p.amount for p in price.products] == [eur("2.20"), eur("1.10"), eur("2.20")]


# --- through fares ------------------------------------------------------------------------


def through(sequence: list[str], amount: str, window: int | None = 90, **extra: Any) -> dict[str, Any]:
    return {"id": "-".join(sequence), "sequence": sequence, "amount": amount, "window_minutes": window, **extra}


def test_a_through_fare_replaces_the_sum_of_its_tickets():
    engine = engine_for([RAIL, CITY], through_fares=[through(["rail", "city"], "5.20")])

    price = engine.price([ride("R", "A", "C", 0), ride("T1", "C", "D", 40)])

    assert shape(price) == [("rail-city", (0, 1), eur("5.20"))]
    # standalone weights: rail 4.00, city 1 zone 2.40 -> 5.20 x 400/640 = 3.25, 1.95
    assert [(o.operator_id, o.amount, o.standalone) for o in price.operators] == [
        ("RBA", eur("3.25"), eur("4.00")), ("TAL", eur("1.95"), eur("2.40"))]
    assert price.products[0].rules == ("rail-city", "rail", "city")


def test_a_through_fare_dearer_than_the_tickets_is_not_used():
    engine = engine_for([RAIL, CITY], through_fares=[through(["rail", "city"], "7.00")])

    assert engine.price([ride("R", "A", "C", 0), ride("T1", "C", "D", 40)]).total == eur("6.40")


def test_a_through_fare_needs_its_sequence_in_order_and_within_its_window():
    engine = engine_for([RAIL, CITY], through_fares=[through(["rail", "city"], "5.20")])

    assert engine.price([ride("T1", "C", "D", 0), ride("R", "C", "A", 20)]).total == eur("6.40")
    assert engine.price([ride("R", "A", "C", 0), ride("T1", "C", "D", 91)]).total == eur("6.40")
    assert engine.price([ride("R", "A", "C", 0), ride("T1", "C", "D", 90)]).total == eur("5.20")


def test_a_through_fare_of_three_tickets_spends_two_discounted_transfers():
    fares = [through(["bus", "rail", "city"], "6.00")]

    legs = [ride("S1", "A", "B", 0), ride("R", "B", "C", 20), ride("T1", "C", "D", 40)]
    assert engine_for([BUS, RAIL, CITY], through_fares=fares).price(legs).total == eur("6.00")
    limited = engine_for([BUS, RAIL, CITY], through_fares=fares, max_discounted_transfers=1)
    assert limited.price(legs).total == eur("8.60")  # 2.20 + 4.00 + 2.40


def test_a_through_fare_may_be_time_banded():
    fare = through(["rail", "city"], "5.20", time_bands=[{"band": "offpeak", "amount": "4.50"}])
    bands = [{"id": "offpeak", "periods": [{"days": ["tue"], "start": "10:00", "end": "15:00"}]}]
    engine = engine_for([RAIL, CITY], through_fares=[fare], time_bands=bands)

    assert engine.price([ride("R", "A", "C", 0), ride("T1", "C", "D", 40)]).total == eur("4.50")
    assert engine.price([ride("R", "A", "C", 200), ride("T1", "C", "D", 240)]).total == eur("5.20")
