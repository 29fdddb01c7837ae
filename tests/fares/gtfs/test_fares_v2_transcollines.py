"""The real Transcollines feed (Outaouais, Quebec): three areas, one network, one timeframe.

Its fare_leg_rules price travel between Gatineau (GAT), the Collines (COL)
and Pontiac (PNT) at 5 or 20 CAD, only departures on the days the timeframe
group GT-2026 runs (service FARES-GT-2026-1: every day from 5 January to
23 August 2026). No rule covers a ride within Gatineau.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.money import Money
from fares.gtfs.basics import FeedBasics
from fares.gtfs.fares_v2 import FaresV2, FaresV2Engine, read_fares_v2
from fares.price import ItineraryLeg
from fares.validation import Problems

MONTREAL = ZoneInfo("America/Montreal")


@pytest.fixture(scope="module")
def loaded(shared_gtfs: Path) -> tuple[FeedBasics, FaresV2 | None, Problems]:
    problems = Problems()
    basics, fares = read_fares_v2(shared_gtfs / "transcollines_fares_v2.zip", problems)
    return basics, fares, problems


@pytest.fixture(scope="module")
def engine(loaded: tuple[FeedBasics, FaresV2 | None, Problems]) -> FaresV2Engine:
    basics, fares, _ = loaded
    assert fares is not None
    return FaresV2Engine(fares, basics)


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=MONTREAL)


def test_the_feed_loads_without_problems(loaded: tuple[FeedBasics, FaresV2 | None, Problems]) -> None:
    _, fares, problems = loaded
    assert problems.items == []
    assert fares is not None
    assert (fares.currency, fares.rule_priority, len(fares.leg_rules)) == ("CAD", True, 8)
    assert sorted(fares.areas) == ["COL", "GAT", "PNT"]


def test_pontiac_to_gatineau_costs_20_dollars(engine: FaresV2Engine) -> None:
    # route 910, trip 20260105-Semaine-01-910-0-0517 on Monday 12 January 2026
    price = engine.price([ItineraryLeg("910", "F134-01", "L910-01", at("2026-01-12", "05:17"),
                                       at("2026-01-12", "06:59"))])
    assert price.total == Money(2000, "CAD")
    assert [(p.id, p.rules) for p in price.products] == [("PS-2000", ("fare_leg_rules.txt:8",))]
    assert price.legs[0].zones == ("PNT", "GAT")
    assert price.operators[0].operator_id == "Transcollines"


def test_gatineau_to_the_collines_costs_5_dollars(engine: FaresV2Engine) -> None:
    price = engine.price([ItineraryLeg("921", "F912-26", "F213-01", at("2026-01-12", "07:00"),
                                       at("2026-01-12", "07:44"))])
    assert price.total == Money(500, "CAD")
    assert [(p.id, p.rules) for p in price.products] == [("PS-500", ("fare_leg_rules.txt:2",))]


def test_two_rides_without_transfer_rules_pay_two_fares(engine: FaresV2Engine) -> None:
    price = engine.price([
        ItineraryLeg("910", "F134-01", "F103-04", at("2026-01-12", "05:17"), at("2026-01-12", "06:25")),
        ItineraryLeg("921", "F912-26", "F213-01", at("2026-01-12", "07:00"), at("2026-01-12", "07:44")),
    ])
    assert price.total == Money(1000, "CAD")
    assert [(p.id, p.leg_indexes) for p in price.products] == [("PS-500", (0,)), ("PS-500", (1,))]


def test_fares_apply_only_while_the_timeframe_service_runs(engine: FaresV2Engine) -> None:
    last_day = engine.price([ItineraryLeg("910", "F134-01", "L910-01", at("2026-08-23", "23:59"))])
    after = engine.price([ItineraryLeg("910", "F134-01", "L910-01", at("2026-08-24", "00:01"))])
    assert last_day.total == Money(2000, "CAD")
    assert (after.total, after.unpriced_legs) == (None, (0,))


def test_a_ride_within_gatineau_has_no_fare(engine: FaresV2Engine) -> None:
    price = engine.price([ItineraryLeg("910", "L910-01", "F912-51", at("2026-01-12", "06:59"))])
    assert price.total is None
    assert price.legs[0].zones == ("GAT",)
