"""Pricing under a zone tariff, and the per-operator split by standalone fares.

The small network (fares in cents, EUR; tariff 1 zone 2.10, 2 zones 3.30, 3 zones 4.70):

    BUS1  (OPA)  A1[1] - A2[1] - X[2]           both directions
    RAIL2 (OPB)  X[2] - M[2] - B1[3] - B2[3]    one direction
    BUS3  (OPA)  B1[3] - C[3]                   one direction
    SLOW  (OPC)  A1[1] - C[3]                   one direction
    walk         B2 <-> C
"""
from __future__ import annotations

import json
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import NoFareFound
from core.money import Money
from fares.graph import build_graph
from fares.network import Network, Pattern, Route, Stop, Walk
from fares.price import ItineraryLeg
from fares.pricing import price_itinerary
from fares.routing import plan_journeys
from fares.tariff import RiderCategory, ZoneTariff
from webapp.demo import demo_routes, demo_stops, demo_walks

ZONES = {"A1": "1", "A2": "1", "X": "2", "M": "2", "B1": "3", "B2": "3", "C": "3"}


def build_network() -> Network:
    stops = {sid: Stop(sid, f"Stop {sid}", 50.0, 8.0, zone) for sid, zone in ZONES.items()}
    routes = {
        "BUS1": Route("BUS1", "OPA", "1", "bus", 600, 6 * 3600, 22 * 3600, patterns=(
            Pattern("BUS1", 0, ("A1", "A2", "X"), (0, 300, 600)),
            Pattern("BUS1", 1, ("X", "A2", "A1"), (0, 300, 600)),
        )),
        "RAIL2": Route("RAIL2", "OPB", "R2", "rail", 1800, 6 * 3600 + 900, 21 * 3600 + 2700, patterns=(
            Pattern("RAIL2", 0, ("X", "M", "B1", "B2"), (0, 240, 600, 900)),
        )),
        "BUS3": Route("BUS3", "OPA", "3", "bus", 900, 6 * 3600 + 300, 21 * 3600 + 3000, patterns=(
            Pattern("BUS3", 0, ("B1", "C"), (0, 180)),
        )),
        "SLOW": Route("SLOW", "OPC", "S", "bus", 3600, 6 * 3600, 21 * 3600, patterns=(
            Pattern("SLOW", 0, ("A1", "C"), (0, 3600)),
        )),
    }
    return Network(stops, routes, (Walk("B2", "C", 240), Walk("C", "B2", 240)))


def build_tariff(zone_fares: tuple[int, ...] = (210, 330, 470)) -> ZoneTariff:
    return ZoneTariff(
        name="Testverbund",
        currency="EUR",
        zone_fares=zone_fares,
        rider_categories=(
            RiderCategory("child", "Child", Fraction(1, 2)),
            RiderCategory("adult", "Adult", Fraction(1), is_default=True),
            RiderCategory("reduced", "Reduced", Fraction(3, 4)),
        ),
        valid_from=date(2026, 1, 1),
        version_id=7,
    )


NETWORK = build_network()
TARIFF = build_tariff()


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


def leg(route_id: str, from_stop: str, to_stop: str) -> ItineraryLeg:
    return ItineraryLeg(route_id, from_stop, to_stop)


def shares(price) -> dict[str, tuple[int, int]]:
    return {o.operator_id: (o.amount.minor, o.standalone.minor) for o in price.operators}


# --- one operator ---------------------------------------------------------------


def test_a_ride_inside_one_zone_costs_the_one_zone_fare():
    price = price_itinerary([leg("BUS1", "A1", "A2")], NETWORK, TARIFF)

    assert price.total == eur(210)
    assert price.rider_category == "adult"
    assert price.legs[0].zones == ("1",)
    assert price.legs[0].standalone == eur(210)
    assert shares(price) == {"OPA": (210, 210)}


def test_a_ride_in_the_reverse_direction_lists_its_zones_in_travel_order():
    price = price_itinerary([leg("BUS1", "X", "A1")], NETWORK, TARIFF)

    assert price.legs[0].zones == ("2", "1")
    assert price.total == eur(330)


def test_a_route_skipping_zone_two_counts_only_the_zones_of_its_stops():
    price = price_itinerary([leg("SLOW", "A1", "C")], NETWORK, TARIFF)

    assert price.legs[0].zones == ("1", "3")
    assert price.total == eur(330)
    assert shares(price) == {"OPC": (330, 330)}


def test_a_zone_visited_twice_is_counted_once():
    price = price_itinerary([leg("BUS1", "A1", "X"), leg("BUS1", "X", "A1")], NETWORK, TARIFF)

    assert price.total == eur(330)
    # the operator's standalone fare is the sum of its legs' fares
    assert shares(price) == {"OPA": (330, 660)}


def test_journeys_through_more_zones_than_listed_pay_the_last_fare():
    tariff = build_tariff(zone_fares=(210, 330))

    price = price_itinerary([leg("BUS1", "A1", "X"), leg("RAIL2", "X", "B1")], NETWORK, tariff)

    assert price.total == eur(330)
    assert price.products[0].id == "zone-3"


# --- several operators ------------------------------------------------------------


def test_two_operators_split_the_through_fare_by_their_standalone_fares():
    # OPA alone 3.30 (zones 1, 2), OPB alone 2.10 (zone 2); through fare 3.30 for 2 zones.
    # 330 * 330/540 = 201.67 and 330 * 210/540 = 128.33: the spare cent goes to OPA.
    price = price_itinerary([leg("BUS1", "A1", "X"), leg("RAIL2", "X", "M")], NETWORK, TARIFF)

    assert price.total == eur(330)
    assert shares(price) == {"OPA": (202, 330), "OPB": (128, 210)}


def test_an_operator_with_two_legs_adds_up_its_standalone_fares():
    # OPA: 3.30 + 2.10 = 5.40, OPB: 3.30; through fare 4.70 for zones 1, 2, 3.
    # 470 * 540/870 = 291.72, 470 * 330/870 = 178.28.
    legs = [leg("BUS1", "A1", "X"), leg("RAIL2", "X", "B1"), leg("BUS3", "B1", "C")]

    price = price_itinerary(legs, NETWORK, TARIFF)

    assert price.total == eur(470)
    assert [(p.index, p.operator_id, p.zones, p.standalone.minor) for p in price.legs] == [
        (0, "OPA", ("1", "2"), 330),
        (1, "OPB", ("2", "3"), 330),
        (2, "OPA", ("3",), 210),
    ]
    assert shares(price) == {"OPA": (292, 540), "OPB": (178, 330)}


def test_operators_are_listed_in_id_order_whatever_the_leg_order():
    price = price_itinerary([leg("RAIL2", "X", "M"), leg("BUS1", "X", "A1")], NETWORK, TARIFF)

    assert [o.operator_id for o in price.operators] == ["OPA", "OPB"]
    assert shares(price) == {"OPA": (202, 330), "OPB": (128, 210)}


def test_equal_standalone_fares_give_the_odd_cent_to_the_first_operator_id():
    # child: through fare 2.35, both operators 1.65 alone -> 117.5 each
    price = price_itinerary(
        [leg("BUS1", "A1", "X"), leg("RAIL2", "X", "B1")], NETWORK, TARIFF, rider_category="child"
    )

    assert price.total == eur(235)
    assert shares(price) == {"OPA": (118, 165), "OPB": (117, 165)}


# --- rider categories ---------------------------------------------------------------


def test_the_default_category_is_used_when_none_is_given_even_if_not_listed_first():
    price = price_itinerary([leg("BUS1", "A1", "A2")], NETWORK, TARIFF, rider_category=None)

    assert price.rider_category == "adult"
    assert price.total == eur(210)


def test_a_child_pays_half_and_standalone_fares_are_halved_too():
    # 235 * 270/435 = 145.86, 235 * 165/435 = 89.14
    legs = [leg("BUS1", "A1", "X"), leg("RAIL2", "X", "B1"), leg("BUS3", "B1", "C")]

    price = price_itinerary(legs, NETWORK, TARIFF, rider_category="child")

    assert price.total == eur(235)
    assert shares(price) == {"OPA": (146, 270), "OPB": (89, 165)}


@pytest.mark.parametrize(
    ("legs", "expected"),
    [
        ([("BUS1", "A1", "A2")], 158),  # 2.10 * 0.75 = 1.575
        ([("BUS1", "A1", "X"), ("RAIL2", "X", "B1")], 353),  # 4.70 * 0.75 = 3.525
    ],
)
def test_a_reduced_fare_is_rounded_half_up_to_the_cent(legs, expected):
    price = price_itinerary([leg(*row) for row in legs], NETWORK, TARIFF, rider_category="reduced")

    assert price.total == eur(expected)


def test_an_unknown_rider_category_is_refused_with_the_known_ones():
    with pytest.raises(NoFareFound) as caught:
        price_itinerary([leg("BUS1", "A1", "A2")], NETWORK, TARIFF, rider_category="dog")

    assert caught.value.code == "unknown_rider_category"
    assert caught.value.details == {"field": "rider_category"}
    assert "child, adult, reduced" in caught.value.message


# --- the explanation -----------------------------------------------------------------


def test_the_price_names_one_product_covering_every_leg_and_explains_its_rules():
    legs = [leg("BUS1", "A1", "X"), leg("RAIL2", "X", "B1")]

    price = price_itinerary(legs, NETWORK, TARIFF)

    (product,) = price.products
    assert product.id == "zone-3"
    assert product.name == "Testverbund: 3 zones"
    assert product.amount == eur(470)
    assert product.leg_indexes == (0, 1)
    assert price.rules[0] == "zone count: the journey touches 3 zones (1, 2, 3)"
    assert price.rules[1].startswith("rider category adult: factor 1 ")
    assert price.tariff_version_id == 7


def test_a_one_zone_product_uses_the_singular():
    price = price_itinerary([leg("BUS1", "A1", "A2")], NETWORK, TARIFF)

    assert price.products[0].name == "Testverbund: 1 zone"
    assert price.rules[0] == "zone count: the journey touches 1 zone (1)"


def test_leg_times_do_not_change_the_price():
    timed = ItineraryLeg("BUS1", "A1", "A2", datetime(2026, 3, 2, 7, 0), datetime(2026, 3, 2, 7, 5))

    assert price_itinerary([timed], NETWORK, TARIFF).total == eur(210)


# --- refusals ---------------------------------------------------------------------


def test_an_itinerary_without_legs_is_refused():
    with pytest.raises(NoFareFound):
        price_itinerary([], NETWORK, TARIFF)


def test_an_unknown_route_is_refused_naming_the_leg():
    with pytest.raises(NoFareFound) as caught:
        price_itinerary([leg("BUS1", "A1", "X"), leg("BUS9", "X", "M")], NETWORK, TARIFF)

    assert caught.value.details == {"leg": 1, "field": "route_id"}


def test_a_stop_the_route_does_not_serve_is_refused():
    with pytest.raises(NoFareFound) as caught:
        price_itinerary([leg("BUS1", "A1", "M")], NETWORK, TARIFF)

    assert caught.value.details == {"leg": 0, "field": "from_stop_id"}


def test_riding_a_one_way_route_backwards_is_refused():
    with pytest.raises(NoFareFound) as caught:
        price_itinerary([leg("RAIL2", "B1", "X")], NETWORK, TARIFF)

    assert caught.value.details == {"leg": 0, "field": "from_stop_id"}


def test_a_stop_without_a_fare_zone_is_refused():
    network = build_network()
    stops = dict(network.stops, M=Stop("M", "Stop M", 50.0, 8.0, None))
    network = Network(stops, network.routes, network.walks)

    with pytest.raises(NoFareFound) as caught:
        price_itinerary([leg("RAIL2", "X", "B1")], network, TARIFF)

    assert caught.value.details == {"stop_id": "M"}


# --- the tariff ---------------------------------------------------------------------


def test_a_tariff_is_built_from_a_package_with_zone_fares_in_any_order():
    package = {
        "name": "Paket",
        "currency": "EUR",
        "valid_from": "2026-01-01",
        "valid_to": None,
        "zone_fares": [{"zones": 2, "amount": "3.70"}, {"zones": 1, "amount": "2.90"}],
        "rider_categories": [
            {"id": "adult", "name": "Erwachsene", "is_default": True, "factor": "1"},
            {"id": "child", "name": None, "is_default": False, "factor": "0.5"},
        ],
    }

    tariff = ZoneTariff.from_package(package, version_id=3)

    assert tariff.zone_fares == (290, 370)
    assert tariff.valid_from == date(2026, 1, 1)
    assert tariff.valid_to is None
    assert tariff.version_id == 3
    assert tariff.category(None).id == "adult"
    child = tariff.category("child")
    assert child.factor == Fraction(1, 2)
    assert child.name == "child"  # no name: the id stands in
    assert tariff.zone_fare(2, child) == eur(185)


def test_a_tariff_without_a_default_category_falls_back_to_the_first():
    categories = (RiderCategory("a", "A", Fraction(1)), RiderCategory("b", "B", Fraction(1)))
    tariff = ZoneTariff("T", "EUR", (100,), categories,
                        date(2026, 1, 1))

    assert tariff.category(None).id == "a"


def test_a_zone_count_below_one_has_no_fare():
    with pytest.raises(NoFareFound):
        TARIFF.zone_fare(0, TARIFF.category(None))


# --- property --------------------------------------------------------------------

RIDES = [
    (route.id, pattern.stop_ids[i], pattern.stop_ids[j])
    for route in NETWORK.routes.values()
    for pattern in route.patterns
    for i in range(len(pattern.stop_ids))
    for j in range(i + 1, len(pattern.stop_ids))
]


@settings(max_examples=300, deadline=None)
@given(
    rides=st.lists(st.sampled_from(RIDES), min_size=1, max_size=5),
    category=st.sampled_from(["adult", "child", "reduced"]),
)
def test_operator_amounts_always_sum_to_the_total_and_are_never_negative(rides, category):
    price = price_itinerary([leg(*ride) for ride in rides], NETWORK, TARIFF, rider_category=category)

    assert sum(o.amount.minor for o in price.operators) == price.total.minor
    assert all(o.amount.minor >= 0 for o in price.operators)
    assert {o.operator_id for o in price.operators} == {NETWORK.routes[r].operator_id for r, _, _ in rides}
    assert price.total.minor in {105, 165, 235, 158, 248, 353, 210, 330, 470}


# --- the demo network -----------------------------------------------------------------

DEMO_TARIFF = Path(__file__).resolve().parents[2] / "webapp" / "demo" / "data" / "tariff.json"


def test_the_demo_trip_from_eichenau_to_sonnenberg_splits_among_three_operators():
    network = Network({s.id: s for s in demo_stops()}, {r.id: r for r in demo_routes()}, tuple(demo_walks()))
    tariff = ZoneTariff.from_package(json.loads(DEMO_TARIFF.read_text(encoding="utf-8")))

    journeys = plan_journeys(build_graph(network), network, "ALT_EICH_WALDWEG", "BGS_SONN_BUCHENWEG",
                             datetime(2026, 3, 2, 8, 0))
    fastest = next(j for j in journeys if "fastest" in j.criteria)
    rides = [ItineraryLeg(s.route_id, s.from_stop_id, s.to_stop_id, s.departure, s.arrival)
             for s in fastest.legs if s.route_id]
    price = price_itinerary(rides, network, tariff)

    # bus 11 to Altheim West (zone 2), RE1 to Bergstadt Bf (zones 2, 1, 3, 4, 5), bus 21 (zone 5)
    assert [(r.route_id, r.from_stop_id, r.to_stop_id) for r in rides] == [
        ("SWA11", "ALT_EICH_WALDWEG", "ALT_WEST"),
        ("RE1", "ALT_WEST", "BGS_BF"),
        ("BVB21", "BGS_BF", "BGS_SONN_BUCHENWEG"),
    ]
    assert price.total == eur(710)  # 5 zones
    # standalone 2.90 / 7.10 / 2.90: 710 * 290/1290 = 159.61, 710 * 710/1290 = 390.78
    assert shares(price) == {"BVB": (160, 290), "RBA": (391, 710), "SWA": (159, 290)}
    assert sum(o.amount.minor for o in price.operators) == price.total.minor
