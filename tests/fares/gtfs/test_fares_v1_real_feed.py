"""The Porto Alegre EPTC feed (../shared/data/gtfs/poa_eptc.zip) under Fares v1.

Its fare_attributes.txt is one line, ``tarifa,4.7,BRL,0,0`` (transfers=0, no
agency_id: the feed has the one agency EPTC), and it has no fare_rules.txt:
so every bus leg costs one tarifa of 4.70 BRL and no two legs share one.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from core.money import Money
from fares.gtfs.basics import load_basics
from fares.gtfs.fares_v1 import FareAttribute, FaresV1Engine, load_fares_v1
from fares.gtfs.reader import read_feed
from fares.price import ItineraryLeg, OperatorAmount
from fares.validation import Problems

FILES = {"agency.txt", "stops.txt", "routes.txt", "fare_attributes.txt", "fare_rules.txt"}


@pytest.fixture(scope="module")
def poa(shared_gtfs: Path) -> FaresV1Engine:
    problems = Problems()
    raw = read_feed(shared_gtfs / "poa_eptc.zip", only=FILES, problems=problems)
    basics = load_basics(raw, problems)
    data = load_fares_v1(raw, basics, problems)
    assert problems.items == []
    assert data is not None
    return FaresV1Engine(data, basics)


def test_the_feed_has_one_flat_fare_without_transfers(poa: FaresV1Engine) -> None:
    assert poa.currency == "BRL"
    assert list(poa.data.fares) == ["tarifa"]
    fare = poa.data.fares["tarifa"]
    assert fare.attribute == FareAttribute("tarifa", Money(470, "BRL"), 0, 0, None, None, 2)
    assert fare.rules == ()


def test_one_bus_leg_costs_one_tarifa(poa: FaresV1Engine) -> None:
    price = poa.price([ItineraryLeg("2441", "4220", "1028")])
    assert price.total == Money(470, "BRL")
    assert [(p.id, p.leg_indexes) for p in price.products] == [("tarifa", (0,))]
    assert price.operators == (OperatorAmount("EPTC", Money(470, "BRL"), Money(470, "BRL")),)


def test_two_bus_legs_cost_two_tarifas_because_transfers_is_zero(poa: FaresV1Engine) -> None:
    price = poa.price([ItineraryLeg("2441", "4220", "1028"), ItineraryLeg("R4", "1028", "26")])
    assert price.total == Money(940, "BRL")
    assert [(p.id, p.leg_indexes) for p in price.products] == [("tarifa", (0,)), ("tarifa", (1,))]
    assert [leg.operator_id for leg in price.legs] == ["EPTC", "EPTC"]
    assert price.operators == (OperatorAmount("EPTC", Money(940, "BRL"), Money(940, "BRL")),)


def test_a_route_the_feed_does_not_have_is_not_priced(poa: FaresV1Engine) -> None:
    price = poa.price([ItineraryLeg("NO-SUCH-ROUTE", "4220", "1028")])
    assert price.total is None
    assert price.unpriced_legs == (0,)
