"""The example packages in docs/ load, and the full example prices as docs/native-tariff-v2.md says."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.money import Money
from fares.native.v2 import NativeV2Engine, load_native_v2
from fares.network import Network, Pattern, Route, Stop
from fares.price import ItineraryLeg

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.json"))
FULL = ROOT / "docs" / "examples" / "verbund_full.json"
DOC = ROOT / "docs" / "native-tariff-v2.md"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_package_is_valid(path):
    model = load_native_v2(path.read_text(encoding="utf-8"), path.name)

    assert model.products


def test_the_examples_are_there():
    assert {p.name for p in EXAMPLES} >= {"poa_integrated.json", "verbund_full.json"}


def test_the_full_example_in_the_documentation_is_the_example_file():
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)

    assert [json.loads(block) for block in blocks] == [json.loads(FULL.read_text(encoding="utf-8"))]


def route(route_id: str, operator: str, mode: str, stop_ids: tuple[str, ...]) -> Route:
    offsets = tuple(range(0, 120 * len(stop_ids), 120))
    return Route(route_id, operator, route_id, mode, 600, 0, 86_000,
                 patterns=(Pattern(route_id, 0, stop_ids, offsets), Pattern(route_id, 1, stop_ids[::-1], offsets)))


NETWORK = Network(
    {s.id: s for s in (
        Stop("Z1A", "Markt", 50.50, 7.96, "1"), Stop("Z1B", "Hbf", 50.49, 7.95, "1"),
        Stop("Z2", "Ost", 50.48, 7.99, "2"), Stop("Z3", "Au", 50.45, 8.05, "3"),
        Stop("R1", "Altheim Hbf", 50.49, 7.95, "1"), Stop("R2", "Kirchdorf", 50.47, 8.00, "2"),
        Stop("R3", "Bergstadt", 50.40, 8.10, "3"), Stop("S2", "Dorf", 50.47, 7.90, "2"),
        Stop("K0", "K0", 50.00, 8.00), Stop("K1", "K1", 50.10, 8.00), Stop("K2", "K2", 50.25, 8.00),
    )},
    {r.id: r for r in (
        route("T1", "TAL", "tram", ("Z1A", "Z1B", "Z2", "Z3")),
        route("RE", "RBA", "rail", ("R1", "R2", "R3")),
        route("S", "SWA", "bus", ("S2", "Z1B", "Z1A")),
        route("K", "XCO", "coach", ("K0", "K1", "K2")),
    )},
)


@pytest.fixture(scope="module")
def engine() -> NativeV2Engine:
    return NativeV2Engine(load_native_v2(FULL.read_text(encoding="utf-8"), FULL.name), NETWORK)


def ride(route_id: str, from_stop: str, to_stop: str, hour: int, minute: int = 0, day: int = 3) -> ItineraryLeg:
    start = datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)  # the 3rd is a Tuesday
    return ItineraryLeg(route_id, from_stop, to_stop, start, start + timedelta(minutes=15))


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def test_city_zones_off_peak_and_at_the_peak(engine):
    assert engine.price([ride("T1", "Z1A", "Z2", 10)]).total == eur("3.10")
    assert engine.price([ride("T1", "Z1A", "Z2", 7)]).total == eur("3.88")  # 3.10 x 1.25 = 3.875


def test_rail_matrix_both_ways_and_at_night(engine):
    assert engine.price([ride("RE", "R1", "R3", 10)]).total == eur("4.80")
    assert engine.price([ride("RE", "R3", "R1", 10)]).total == eur("4.80")
    assert engine.price([ride("RE", "R1", "R3", 23)]).total == eur("2.50")
    assert engine.price([ride("RE", "R1", "R3", 3, day=4)]).total == eur("2.50")


def test_rail_then_city_is_one_through_fare(engine):
    price = engine.price([ride("RE", "R1", "R2", 10), ride("T1", "Z2", "Z1B", 10, 40)])

    assert [(p.id, p.amount) for p in price.products] == [("rail-city", eur("5.20"))]
    assert "5.20 EUR in total instead of 6.80 EUR separately" in price.rules[0]
    assert engine.model.apportionment_for("rail-city").method == "fixed_shares"
    assert engine.model.apportionment_for("city").method == "passenger_km"


@pytest.mark.parametrize(("category", "amounts"), [
    (None, ["2.20", "1.20"]),
    ("child", ["1.10", "0.60"]),
    ("senior", ["1.60", "0.60"]),  # 0.60 off each
    ("student", ["2.20", "1.20"]),  # fixed 1.50 on city only, and 1.20 is lower
])
def test_bus_then_city_at_half_price_per_rider_category(engine, category, amounts):
    price = engine.price([ride("S", "S2", "Z1B", 10), ride("T1", "Z1B", "Z1A", 10, 30)], category)

    assert [p.amount for p in price.products] == [eur(a) for a in amounts]
    assert price.products[1].rules[:2] == ("city", "bus-to-city")


def test_coach_by_distance(engine):
    # 0.25° along 8°E = 27,799 m: 1.50 + 0.18 x 27.799 = 6.50382, up to 6.60
    assert engine.price([ride("K", "K0", "K2", 10)]).total == eur("6.60")
