"""fare_transfer_rules.transfer_count and duration_limit / duration_limit_type.

transfer_count: of the rules that match, the one with the smallest count not
below the transfer's number in the sub-journey applies (-1: no limit); past
every count the next leg starts a new sub-journey. duration_limit is timed
from the first leg of the sub-journey, at the events duration_limit_type names.
"""
from __future__ import annotations

import textwrap
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.money import Money
from fares.gtfs.fares_v2 import FaresV2Engine, read_fares_v2
from fares.price import ItineraryLeg
from fares.validation import Problems

BERLIN = ZoneInfo("Europe/Berlin")
FEED = {
    "agency.txt": """
        agency_id,agency_name,agency_url,agency_timezone
        ag1,Bus,https://bus.example,Europe/Berlin
    """,
    "stops.txt": "stop_id,stop_name,location_type\nS1,One,0\nS2,Two,0\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_type,network_id\nbus1,ag1,1,3,bus\n",
    "fare_products.txt": """
        fare_product_id,fare_product_name,amount,currency
        bus_single,Bus,2.00,EUR
        t_050,Transfer,0.50,EUR
    """,
    "fare_leg_rules.txt": "leg_group_id,network_id,fare_product_id\nbus,bus,bus_single\n",
}
HEADER = ("from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,fare_transfer_type,"
          "fare_product_id\n")


def engine_with(tmp_path: Path, transfer_rules: str) -> FaresV2Engine:
    files = {**FEED, "fare_transfer_rules.txt": HEADER + transfer_rules}
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).strip() + "\n")
    problems = Problems()
    basics, fares = read_fares_v2(tmp_path, problems)
    assert problems.items == [] and fares is not None
    return FaresV2Engine(fares, basics)


def rides(*times: tuple[str, str]) -> list[ItineraryLeg]:
    """Bus rides on Monday 2 March 2026, each given as (departure, arrival) "HH:MM"."""
    def at(clock: str) -> datetime:
        hours, minutes = map(int, clock.split(":"))
        return datetime(2026, 3, 2, tzinfo=BERLIN) + timedelta(hours=hours, minutes=minutes)
    return [ItineraryLeg("bus1", "S1", "S2", at(dep), at(arr)) for dep, arr in times]


HOURLY = [(f"{8 + i:02d}:00", f"{8 + i:02d}:20") for i in range(5)]


def test_the_smallest_transfer_count_that_still_applies_is_selected(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, "bus,bus,1,,,0,\nbus,bus,-1,,,0,t_050")
    price = engine.price(rides(*HOURLY[:4]))
    assert price.total == Money(300, "EUR")  # 2.00, then free (count 1), then 0.50 and 0.50 (no limit)
    assert [p.id for p in price.products] == ["bus_single", "t_050", "t_050"]


def test_past_its_transfer_count_a_leg_starts_a_new_sub_journey(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, "bus,bus,2,,,0,")
    assert engine.price(rides(*HOURLY[:3])).total == Money(200, "EUR")
    assert engine.price(rides(*HOURLY[:4])).total == Money(400, "EUR")  # the third transfer is not covered
    assert engine.price(rides(*HOURLY[:5])).total == Money(400, "EUR")  # ... but starts a new count


# Two rides: 08:00-08:20 and 08:50-09:10. Type 0 spans 70 minutes, type 1 50, type 2 30, type 3 50.
@pytest.mark.parametrize("limit_type, limit, total", [
    (0, 70 * 60, 200), (0, 70 * 60 - 1, 400),
    (1, 50 * 60, 200), (1, 50 * 60 - 1, 400),
    (2, 30 * 60, 200), (2, 30 * 60 - 1, 400),
    (3, 50 * 60, 200), (3, 50 * 60 - 1, 400),
])
def test_the_duration_limit_type_chooses_the_events_and_the_limit_itself_is_allowed(
        tmp_path: Path, limit_type: int, limit: int, total: int) -> None:
    engine = engine_with(tmp_path, f"bus,bus,-1,{limit},{limit_type},0,")
    assert engine.price(rides(("08:00", "08:20"), ("08:50", "09:10"))).total == Money(total, "EUR")


def test_the_duration_is_measured_from_the_first_leg_of_the_sub_journey(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, "bus,bus,-1,3600,1,0,")
    assert engine.price(rides(("08:00", "08:20"), ("08:30", "08:50"), ("09:00", "09:20"))).total == Money(200, "EUR")
    # 65 minutes after the first departure: the third ride pays again, though only 35 after the second
    assert engine.price(rides(("08:00", "08:20"), ("08:30", "08:50"), ("09:05", "09:25"))).total == Money(400, "EUR")


def test_a_rule_that_ran_out_of_time_leaves_the_rule_with_the_next_count(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, "bus,bus,1,1800,1,0,\nbus,bus,-1,3600,1,0,t_050")
    price = engine.price(rides(("08:00", "08:10"), ("08:20", "08:30"), ("08:50", "09:00")))
    assert price.total == Money(250, "EUR")  # free within 30 minutes, then 0.50 within the hour


def test_a_duration_limit_cannot_be_met_by_legs_of_unknown_time(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, "bus,bus,-1,3600,1,0,")
    legs = [ItineraryLeg("bus1", "S1", "S2"), ItineraryLeg("bus1", "S2", "S1")]
    assert engine.price(legs).total == Money(400, "EUR")
