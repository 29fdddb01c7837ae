"""Matching a leg to fare_leg_rules without rule_priority: networks, areas, and what an empty field means.

Without a rule_priority column an empty network_id/from_area_id/to_area_id
stands for every value that no rule names in that column, so a value that
some rule names never falls back to an empty field.
"""
from __future__ import annotations

import pytest

from core.money import Money
from fares.gtfs.fares_v2 import FaresV2Engine
from fares.price import ItineraryLeg
from tests.fares.gtfs.v2_feeds import engine_from_texts

FEED = {
    "agency.txt": """
        agency_id,agency_name,agency_url,agency_timezone
        ag1,Bus Co,https://bus.example,America/New_York
        ag2,Tram Co,https://tram.example,America/New_York
    """,
    "stops.txt": """
        stop_id,stop_name,location_type,parent_station
        A1,A one,0,
        BST,B station,1,
        B1,B platform 1,0,BST
        B2,B platform 2,0,BST
        C1,C one,0,
        X1,X one,0,
        M1,In A and C,0,
        N1,In no area,0,
    """,
    "routes.txt": """
        route_id,agency_id,route_short_name,route_type,network_id
        bus1,ag1,1,3,bus
        tram1,ag2,T,0,tram
        plain,ag1,P,3,
    """,
    "areas.txt": "area_id\nA\nB\nC\nX\n",
    "stop_areas.txt": """
        area_id,stop_id
        A,A1
        B,BST
        X,B2
        C,C1
        X,X1
        A,M1
        C,M1
    """,
    "fare_products.txt": """
        fare_product_id,fare_product_name,amount,currency
        p_ab,A to B by bus,2.00,USD
        p_a_any,From A by bus,3.00,USD
        p_other_net,A to C off the bus,4.00,USD
        p_default,Anything else,9.00,USD
    """,
    "fare_leg_rules.txt": """
        leg_group_id,network_id,from_area_id,to_area_id,fare_product_id
        ab,bus,A,B,p_ab
        ,bus,A,,p_a_any
        ,,A,C,p_other_net
        ,,,,p_default
    """,
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> FaresV2Engine:
    folder = tmp_path_factory.mktemp("leg_matching")
    return engine_from_texts(folder, FEED)


@pytest.mark.parametrize("route, from_stop, to_stop, product, amount", [
    ("bus1", "A1", "B1", "p_ab", "2.00"),  # the station's area covers its platform
    ("bus1", "A1", "X1", "p_a_any", "3.00"),  # X is named by no to_area_id: the empty one matches
    ("bus1", "A1", "B2", "p_a_any", "3.00"),  # B2 has an area of its own: it is in X, not in its station's B
    ("tram1", "A1", "C1", "p_other_net", "4.00"),  # tram is named by no network_id: the empty one matches
    ("plain", "A1", "C1", "p_other_net", "4.00"),  # a route without a network matches an empty network_id
    ("tram1", "C1", "X1", "p_default", "9.00"),
    ("tram1", "N1", "N1", "p_default", "9.00"),  # a stop in no area matches empty areas only
    ("bus1", "M1", "B1", "p_ab", "2.00"),  # a stop in several areas matches through any of them
], ids=["exact", "unlisted-to-area", "platform-override", "unlisted-network", "no-network", "all-empty",
        "no-area", "several-areas"])
def test_a_leg_matches_the_rule_its_network_and_areas_select(
        engine: FaresV2Engine, route: str, from_stop: str, to_stop: str, product: str, amount: str) -> None:
    price = engine.price([ItineraryLeg(route, from_stop, to_stop)])
    assert price.total == Money.parse(amount, "USD")
    assert [p.id for p in price.products] == [product]


def test_a_listed_value_never_falls_back_to_an_empty_field(engine: FaresV2Engine) -> None:
    # bus is named, so ",,A,C" does not match; C is named, so ",bus,A," does not match either
    price = engine.price([ItineraryLeg("bus1", "A1", "C1")])
    assert price.total is None
    assert price.unpriced_legs == (0,)
    assert price.rules == ("leg 0 (A1 to C1): no rule of fare_leg_rules.txt matches, so the journey has no fare",)


def test_a_priced_leg_names_its_operator_areas_and_rule(engine: FaresV2Engine) -> None:
    price = engine.price([ItineraryLeg("bus1", "M1", "B1"), ItineraryLeg("tram1", "C1", "X1")])
    first, second = price.legs
    assert (first.operator_id, first.zones, first.rules, first.standalone) == (
        "ag1", ("A", "C", "B"), ("fare_leg_rules.txt:2",), Money(200, "USD"))
    assert (second.operator_id, second.zones, second.rules, second.standalone) == (
        "ag2", ("C", "X"), ("fare_leg_rules.txt:5",), Money(900, "USD"))
    assert price.total == Money(1100, "USD")
