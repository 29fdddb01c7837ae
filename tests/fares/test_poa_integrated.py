"""Porto Alegre on the real feeds: EPTC buses + TRENSURB trains under the integrated tariff
(native format 2, docs/examples/poa_integrated.json): bus 4.80, rail 4.50, bus<->rail 8.37
within 60 minutes, bus->bus 7.20, at most one discounted transfer."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.money import Money
from fares.gtfs.basics import load_basics
from fares.gtfs.network import NETWORK_FILES, build_network, merge_networks
from fares.gtfs.reader import read_feed
from fares.native.v2 import NativeV2Engine, load_native_v2
from fares.planner import Planner
from fares.price import ItineraryLeg
from fares.validation import Problems

TARIFF = Path(__file__).resolve().parents[2] / "docs" / "examples" / "poa_integrated.json"
TZ = ZoneInfo("America/Sao_Paulo")


def at(hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2019, 5, 6, hours, minutes, tzinfo=TZ)


@pytest.fixture(scope="module")
def poa(shared_gtfs: Path) -> tuple[Planner, NativeV2Engine]:
    networks = []
    for name in ("poa_eptc.zip", "poa_trensurb.zip"):
        problems = Problems()
        raw = read_feed(shared_gtfs / name, only=NETWORK_FILES, problems=problems)
        networks.append(build_network(raw, load_basics(raw, problems), problems))
        assert problems.items == []
    network = merge_networks(*networks)
    engine = NativeV2Engine(load_native_v2(TARIFF.read_text(encoding="utf-8"), TARIFF.name), network)
    return Planner(network), engine


def brl(text: str) -> Money:
    return Money.parse(text, "BRL")


def test_bus_then_train_within_the_hour_is_the_integrated_fare_split_between_both(poa):
    _, engine = poa
    price = engine.price([
        ItineraryLeg("397", "2023", "1666", at("13:21"), at("13:40")),
        ItineraryLeg("LINHA1", "RD", "SP", at("13:45"), at("14:00")),
    ])
    assert price.total == brl("8.37")
    # 837 split by standalone fares 480 : 450 -> 432.0 and 405.0
    assert [(o.operator_id, o.amount) for o in price.operators] == [("EPTC", brl("4.32")), ("TRENS", brl("4.05"))]


def test_bus_then_train_after_the_window_pays_both_fares(poa):
    _, engine = poa
    price = engine.price([
        ItineraryLeg("397", "2023", "1666", at("13:21"), at("13:40")),
        ItineraryLeg("LINHA1", "RD", "SP", at("14:31"), at("14:46")),
    ])
    assert price.total == brl("9.30")


def test_planned_options_are_priced_under_the_integrated_tariff(poa):
    planner, engine = poa
    options = planner.plan_and_price(engine, "1899", "6347", at("13:00"))
    summary = [(j.criteria, [leg.route_id for leg in j.legs if leg.route_id], p.total) for j, p in options]
    # bus + bus + train: one discounted transfer; bus->bus 7.20 plus train 4.50 beats 8.37 + 4.80
    assert summary == [
        (("fastest",), ["T4", "397", "LINHA1"], brl("11.70")),
        (("fewest_transfers", "cheapest"), ["T11"], brl("4.80")),
    ]
    fastest_price = options[0][1]
    assert [(o.operator_id, o.amount) for o in fastest_price.operators] == [("EPTC", brl("7.97")),
                                                                           ("TRENS", brl("3.73"))]
