"""fare_leg_rules.rule_priority: with the column, an empty field ignores the leg's value and the
highest priority among the matching rules wins; rules tied at that priority all stay candidates."""
from __future__ import annotations

import textwrap
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.money import Money
from fares.gtfs.basics import FeedBasics
from fares.gtfs.fares_v2 import FaresV2, FaresV2Engine, read_fares_v2
from fares.gtfs.fares_v2.areas import AreaIndex
from fares.gtfs.fares_v2.join import single_leg
from fares.gtfs.fares_v2.leg_lookup import LegRuleLookup
from fares.gtfs.fares_v2.timeframes import TimeframeMatcher
from fares.price import ItineraryLeg
from fares.validation import Problems

NY = ZoneInfo("America/New_York")
FEED = {
    "agency.txt": """
        agency_id,agency_name,agency_url,agency_timezone
        ag1,Transit,https://transit.example,America/New_York
    """,
    "stops.txt": """
        stop_id,stop_name,location_type
        A1,A one,0
        B1,B one,0
        C1,C one,0
        X1,X one,0
    """,
    "routes.txt": """
        route_id,agency_id,route_short_name,route_type,network_id
        bus1,ag1,1,3,bus
        tram1,ag1,T,0,tram
    """,
    "calendar.txt": """
        service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date
        weekdays,1,1,1,1,1,0,0,20260101,20261231
    """,
    "timeframes.txt": """
        timeframe_group_id,start_time,end_time,service_id
        peak,07:00:00,09:00:00,weekdays
    """,
    "areas.txt": "area_id\nA\nB\nC\nX\n",
    "stop_areas.txt": "area_id,stop_id\nA,A1\nB,B1\nC,C1\nX,X1\n",
    "fare_products.txt": """
        fare_product_id,fare_product_name,amount,currency
        p_ab,A to B by bus,2.00,USD
        p_a_any,From A by bus,3.00,USD
        p_cheap,Anything,0.50,USD
        p_alt,A to B any network,2.50,USD
        p_peak,Peak from A to X,5.00,USD
    """,
    "fare_leg_rules.txt": """
        leg_group_id,network_id,from_area_id,to_area_id,from_timeframe_group_id,fare_product_id,rule_priority
        ab,bus,A,B,,p_ab,1
        ,bus,A,,,p_a_any,0
        ,,,,,p_cheap,
        alt,,A,B,,p_alt,1
        ,bus,A,X,peak,p_peak,3
    """,
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[FeedBasics, FaresV2]:
    folder = tmp_path_factory.mktemp("priority")
    for name, text in FEED.items():
        (folder / name).write_text(textwrap.dedent(text).strip() + "\n")
    problems = Problems()
    basics, fares = read_fares_v2(folder, problems)
    assert problems.items == [] and fares is not None
    return basics, fares


@pytest.fixture(scope="module")
def engine(loaded: tuple[FeedBasics, FaresV2]) -> FaresV2Engine:
    return FaresV2Engine(loaded[1], loaded[0])


def test_the_highest_priority_wins_over_a_cheaper_lower_one(engine: FaresV2Engine) -> None:
    price = engine.price([ItineraryLeg("bus1", "A1", "B1")])
    assert price.total == Money(200, "USD")  # not the 0.50 of the priority-0 catch-all
    assert [p.id for p in price.products] == ["p_ab"]


def test_rules_tied_at_the_top_priority_all_match(loaded: tuple[FeedBasics, FaresV2]) -> None:
    basics, fares = loaded
    lookup = LegRuleLookup(fares, AreaIndex(fares.stop_areas, basics), TimeframeMatcher(fares.timeframes, basics))
    found = lookup.match(single_leg(0, ItineraryLeg("bus1", "A1", "B1"), "bus"))
    assert [rule.line for rule in found] == [2, 5]


def test_an_empty_network_ignores_the_network_of_the_leg(engine: FaresV2Engine) -> None:
    price = engine.price([ItineraryLeg("tram1", "A1", "B1")])
    assert [p.id for p in price.products] == ["p_alt"]
    assert price.total == Money(250, "USD")


def test_an_empty_area_ignores_even_an_area_other_rules_name(engine: FaresV2Engine) -> None:
    # without rule_priority "bus, A, (empty)" would not match C, which another rule names
    price = engine.price([ItineraryLeg("bus1", "A1", "C1")])
    assert price.total == Money(50, "USD")  # p_a_any and p_cheap tie at priority 0; the cheaper is paid


def test_a_higher_priority_rule_outside_its_timeframe_does_not_count(engine: FaresV2Engine) -> None:
    peak = engine.price([ItineraryLeg("bus1", "A1", "X1", datetime(2026, 3, 2, 8, 0, tzinfo=NY))])
    off_peak = engine.price([ItineraryLeg("bus1", "A1", "X1", datetime(2026, 3, 2, 10, 0, tzinfo=NY))])
    assert (peak.total, [p.id for p in peak.products]) == (Money(500, "USD"), ["p_peak"])
    assert (off_peak.total, [p.id for p in off_peak.products]) == (Money(50, "USD"), ["p_cheap"])
