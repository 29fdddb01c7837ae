"""fare_leg_join_rules: consecutive legs priced as one effective fare leg.

A rule without stops joins legs of its two networks that meet at the same
station; a rule with stops joins them only where the first leg ends at
from_stop_id and the next starts at to_stop_id (a station covers its
platforms). The effective leg runs from the first leg's departure area to the
last leg's arrival area.
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
        db,Rail,https://rail.example,Europe/Berlin
        vag,Tram,https://tram.example,Europe/Berlin
    """,
    "stops.txt": """
        stop_id,stop_name,location_type,parent_station
        A1,A,0,
        Z1,Z,0,
        K1,K,0,
        HBF,Central station,1,
        H1,Central 1,0,HBF
        H2,Central 2,0,HBF
        H3,Central tram,0,HBF
        MID,Middle station,1,
        M1,Middle 1,0,MID
        M2,Middle 2,0,MID
    """,
    "routes.txt": """
        route_id,agency_id,route_short_name,route_type,network_id
        rail1,db,R1,2,rail
        rail2,db,R2,2,rail
        rail3,db,R3,2,rail
        tram1,vag,T1,0,tram
    """,
    "areas.txt": "area_id\nA\nZ\nH\nM\n",
    "stop_areas.txt": "area_id,stop_id\nA,A1\nZ,Z1\nH,K1\nH,HBF\nM,MID\n",
    "fare_products.txt": """
        fare_product_id,fare_product_name,amount,currency
        az,A to Z,4.00,EUR
        ah,A to H,2.50,EUR
        hz,H to Z,2.50,EUR
        hm,H to M,1.00,EUR
        mz,M to Z,1.00,EUR
        zh,Z to H by tram,1.00,EUR
        combo,Z to A by tram and rail,3.00,EUR
    """,
    "fare_leg_rules.txt": """
        leg_group_id,network_id,from_area_id,to_area_id,fare_product_id
        ,rail,A,Z,az
        ,rail,A,H,ah
        ,rail,H,Z,hz
        ,rail,H,M,hm
        ,rail,M,Z,mz
        ,rail,H,A,ah
        ,tram,Z,H,zh
        ,,Z,A,combo
    """,
    "fare_leg_join_rules.txt": """
        from_network_id,to_network_id,from_stop_id,to_stop_id
        rail,rail,,
        tram,rail,HBF,H2
    """,
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> FaresV2Engine:
    folder = tmp_path_factory.mktemp("joins")
    return engine_from_texts(folder, FEED)


def test_legs_of_joined_networks_meeting_at_one_station_are_one_fare_leg(engine: FaresV2Engine) -> None:
    price = engine.price([ItineraryLeg("rail1", "A1", "H1"), ItineraryLeg("rail2", "H2", "Z1")])
    assert price.total == Money(400, "EUR")  # A to Z, not A to H plus H to Z
    (product,) = price.products
    assert (product.id, product.leg_indexes, product.rules) == (
        "az", (0, 1), ("fare_leg_rules.txt:2", "fare_leg_join_rules.txt:2"))
    assert [leg.standalone for leg in price.legs] == [Money(250, "EUR"), Money(250, "EUR")]
    assert price.legs[1].rules == ("fare_leg_rules.txt:2", "fare_leg_join_rules.txt:2")
    assert price.rules[0] == "legs 0-1 (A1 to Z1) count as one fare leg by fare_leg_join_rules.txt:2"


def test_legs_that_do_not_meet_at_one_station_stay_apart(engine: FaresV2Engine) -> None:
    price = engine.price([ItineraryLeg("rail1", "A1", "H1"), ItineraryLeg("rail2", "K1", "Z1")])
    assert price.total == Money(500, "EUR")
    assert [p.leg_indexes for p in price.products] == [(0,), (1,)]


def test_consecutive_joined_transfers_make_one_fare_leg_of_the_whole_run(engine: FaresV2Engine) -> None:
    legs = [ItineraryLeg("rail1", "A1", "H1"), ItineraryLeg("rail2", "H2", "M1"), ItineraryLeg("rail3", "M2", "Z1")]
    price = engine.price(legs)
    assert price.total == Money(400, "EUR")  # not 2.50 + 1.00 + 1.00
    assert [(p.id, p.leg_indexes) for p in price.products] == [("az", (0, 1, 2))]


def test_a_rule_with_stops_joins_at_those_stops_a_station_covering_its_platforms(engine: FaresV2Engine) -> None:
    price = engine.price([ItineraryLeg("tram1", "Z1", "H3"), ItineraryLeg("rail1", "H2", "A1")])
    # one leg of two networks: only a rule with an empty network_id can match it
    assert price.total == Money(300, "EUR")
    assert [(p.id, p.leg_indexes) for p in price.products] == [("combo", (0, 1))]


def test_a_rule_with_stops_does_not_join_elsewhere_in_the_same_station(engine: FaresV2Engine) -> None:
    price = engine.price([ItineraryLeg("tram1", "Z1", "H3"), ItineraryLeg("rail1", "H1", "A1")])
    assert price.total == Money(350, "EUR")
    assert [p.id for p in price.products] == ["zh", "ah"]


def test_networks_without_a_join_rule_are_not_joined(engine: FaresV2Engine) -> None:
    price = engine.price([ItineraryLeg("rail1", "A1", "H1"), ItineraryLeg("tram1", "H3", "Z1")])
    assert price.total is None  # the tram from H to Z has no rule; joined it would have been priced as A to Z
    assert price.unpriced_legs == (1,)
