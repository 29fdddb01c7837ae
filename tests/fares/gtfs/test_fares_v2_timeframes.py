"""from_timeframe_group_id (leg departure) and to_timeframe_group_id (leg arrival).

start_time is included, end_time excluded; the "current day" is the local
date of the event at its stop (stop_timezone, else the agency timezone), which
decides whether the timeframe's service_id runs.
"""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from fares.gtfs.fares_v2 import FaresV2Engine
from fares.price import ItineraryLeg
from tests.fares.gtfs.v2_feeds import engine_from_texts

NY = ZoneInfo("America/New_York")
FEED = {
    "agency.txt": """
        agency_id,agency_name,agency_url,agency_timezone
        ag1,Transit,https://transit.example,America/New_York
    """,
    "stops.txt": """
        stop_id,stop_name,location_type,stop_timezone
        S1,East,0,
        S2,East too,0,
        LA1,West,0,America/Los_Angeles
    """,
    "routes.txt": """
        route_id,agency_id,route_short_name,route_type,network_id
        bus1,ag1,1,3,bus
        owl,ag1,N,3,night
    """,
    "calendar.txt": """
        service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date
        weekdays,1,1,1,1,1,0,0,20260101,20261231
        saturday,0,0,0,0,0,1,0,20260101,20261231
    """,
    "timeframes.txt": """
        timeframe_group_id,start_time,end_time,service_id
        peak,07:00:00,09:00:00,weekdays
        offpeak,00:00:00,07:00:00,weekdays
        offpeak,09:00:00,24:00:00,weekdays
        offpeak,,,saturday
        late,22:00:00,24:00:00,weekdays
    """,
    "fare_products.txt": """
        fare_product_id,fare_product_name,amount,currency
        p_peak,Peak,3.00,USD
        p_off,Off-peak,2.00,USD
        p_late,Late arrival,4.00,USD
    """,
    "fare_leg_rules.txt": """
        leg_group_id,network_id,from_area_id,to_area_id,from_timeframe_group_id,to_timeframe_group_id,fare_product_id
        ,bus,,,peak,,p_peak
        ,bus,,,offpeak,,p_off
        ,night,,,,late,p_late
    """,
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> FaresV2Engine:
    folder = tmp_path_factory.mktemp("timeframes")
    return engine_from_texts(folder, FEED)


def product_for(engine: FaresV2Engine, leg: ItineraryLeg) -> str | None:
    price = engine.price([leg])
    return price.products[0].id if price.total is not None else None


@pytest.mark.parametrize("departure, product", [
    (datetime(2026, 3, 2, 7, 0, 0, tzinfo=NY), "p_peak"),  # start_time is included
    (datetime(2026, 3, 2, 8, 59, 59, tzinfo=NY), "p_peak"),
    (datetime(2026, 3, 2, 9, 0, 0, tzinfo=NY), "p_off"),  # end_time is not
    (datetime(2026, 3, 2, 6, 59, 59, tzinfo=NY), "p_off"),
    (datetime(2026, 3, 2, 23, 59, 59, tzinfo=NY), "p_off"),  # an end_time of 24:00:00 covers the last second
    (datetime(2026, 3, 7, 12, 0, tzinfo=NY), "p_off"),  # empty times: the whole Saturday
    (datetime(2026, 3, 8, 12, 0, tzinfo=NY), None),  # no timeframe runs on Sunday
    (datetime(2026, 3, 3, 0, 30, tzinfo=NY), "p_off"),  # just after midnight the current day is Tuesday
    (datetime(2026, 3, 8, 0, 30, tzinfo=NY), None),  # ... and here Sunday, whatever the trip's service day
    (datetime(2026, 3, 2, 12, 30, tzinfo=UTC), "p_peak"),  # 07:30 in New York
    (datetime(2026, 3, 2, 7, 30), "p_peak"),  # a naive time is local time
    (None, None),  # a rule that names a timeframe cannot match an unknown time
], ids=["start-included", "just-before-end", "end-excluded", "before-start", "last-second", "saturday",
        "sunday", "after-midnight-weekday", "after-midnight-sunday", "utc", "naive", "unknown-time"])
def test_the_departure_time_selects_the_from_timeframe(
        engine: FaresV2Engine, departure: datetime | None, product: str | None) -> None:
    assert product_for(engine, ItineraryLeg("bus1", "S1", "S2", departure)) == product


def test_the_departure_is_read_in_the_timezone_of_the_departure_stop(engine: FaresV2Engine) -> None:
    at = datetime(2026, 3, 2, 10, 30, tzinfo=NY)  # 07:30 in Los Angeles
    assert product_for(engine, ItineraryLeg("bus1", "LA1", "S2", at)) == "p_peak"
    assert product_for(engine, ItineraryLeg("bus1", "S1", "LA1", at)) == "p_off"


@pytest.mark.parametrize("arrival, product", [
    (datetime(2026, 3, 2, 22, 10, tzinfo=NY), "p_late"),
    (datetime(2026, 3, 2, 21, 59, 59, tzinfo=NY), None),
    (datetime(2026, 3, 2, 23, 59, 59, tzinfo=NY), "p_late"),
    (datetime(2026, 3, 3, 0, 0, 0, tzinfo=NY), None),
])
def test_the_arrival_time_selects_the_to_timeframe(
        engine: FaresV2Engine, arrival: datetime, product: str | None) -> None:
    leg = ItineraryLeg("owl", "S1", "S2", datetime(2026, 3, 2, 21, 50, tzinfo=NY), arrival)
    assert product_for(engine, leg) == product


def test_the_arrival_is_read_in_the_timezone_of_the_arrival_stop(engine: FaresV2Engine) -> None:
    # 01:10 in New York is 22:10 of the day before in Los Angeles
    leg = ItineraryLeg("owl", "S1", "LA1", datetime(2026, 3, 3, 0, 0, tzinfo=NY),
                       datetime(2026, 3, 3, 1, 10, tzinfo=NY))
    assert product_for(engine, leg) == "p_late"
