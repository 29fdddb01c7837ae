"""Porto Alegre: docs/examples/poa_integrated.json prices as the r5r fare tables in shared/ say."""
from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.money import Money
from fares.native.v2 import NativeV2Engine, load_native_v2
from fares.network import Network, Pattern, Route, Stop
from fares.price import ItineraryLeg

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs" / "examples" / "poa_integrated.json"
POA_FARES = ROOT.parent / "shared" / "data" / "gtfs" / "poa_fares"
TZ = ZoneInfo("America/Sao_Paulo")
MONDAY_8 = datetime(2026, 3, 2, 8, 0, tzinfo=TZ)


def route(route_id: str, operator: str, mode: str, stop_ids: list[str]) -> Route:
    return Route(route_id, operator, route_id, mode, 600, 5 * 3600, 23 * 3600,
                 patterns=(Pattern(route_id, 0, tuple(stop_ids), tuple(range(0, 120 * len(stop_ids), 120))),
                           Pattern(route_id, 1, tuple(reversed(stop_ids)),
                                   tuple(range(0, 120 * len(stop_ids), 120)))))


# Trensurb stops and coordinates from poa_trensurb.zip; bus stops invented near them.
STOPS = [
    Stop("MR", "Estacao Mercado", -30.0262849537, -51.2282682008),
    Stop("RD", "Estacao Rodoviaria", -30.0224034752, -51.2199497815),
    Stop("AP", "Estacao Aeroporto", -29.9878317138, -51.1829080852),
    Stop("ATR", "Estacao Aero Trensurb", -29.9879179683, -51.1831955963),
    Stop("ASG", "Estacao Aero Salgado Filho", -29.9900800016, -51.1763655517),
    Stop("B1", "Bus stop 1", -30.0400, -51.2300),
    Stop("B2", "Bus stop 2", -30.0300, -51.2250),
    Stop("B3", "Bus stop 3", -30.0100, -51.2100),
]
NETWORK = Network(
    {stop.id: stop for stop in STOPS},
    {
        r.id: r
        for r in (
            route("LINHA1", "TRENS", "rail", ["MR", "RD", "AP"]),
            route("LINHAAERO", "TRENS", "rail", ["ATR", "ASG"]),
            route("T1", "EPTC", "bus", ["B1", "B2", "MR"]),
            route("T2", "EPTC", "bus", ["RD", "B3"]),
            route("X9", "EPTC", "bus", ["B1", "B3"]),  # not in fares_per_route.csv: no fare
        )
    },
)


@pytest.fixture(scope="module")
def engine() -> NativeV2Engine:
    return NativeV2Engine(load_native_v2(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name), NETWORK)


def ride(route_id: str, from_stop: str, to_stop: str, minutes: int) -> ItineraryLeg:
    start = MONDAY_8 + timedelta(minutes=minutes)
    return ItineraryLeg(route_id, from_stop, to_stop, start, start + timedelta(minutes=15))


def brl(text: str) -> Money:
    return Money.parse(text, "BRL")


def test_bus_then_rail_within_60_minutes_costs_8_37_in_total(engine):
    price = engine.price([ride("T1", "B1", "MR", 0), ride("LINHA1", "MR", "AP", 20)])

    assert price.total == brl("8.37")
    assert [(p.id, p.amount, p.leg_indexes) for p in price.products] == [("poa-bus-rail", brl("8.37"), (0, 1))]
    assert [leg.standalone for leg in price.legs] == [brl("4.80"), brl("4.50")]
    # 8.37 split 480:450 -> 4.32 and 4.05 exactly
    assert [(o.operator_id, o.amount) for o in price.operators] == [("EPTC", brl("4.32")), ("TRENS", brl("4.05"))]
    assert price.legs[0].rules == ("poa-bus-rail", "eptc-bus")
    assert price.legs[1].rules == ("poa-bus-rail", "trensurb-rail")
    assert "instead of 9.30 BRL separately" in price.rules[0]


def test_rail_then_bus_costs_8_37(engine):
    price = engine.price([ride("LINHA1", "AP", "RD", 0), ride("T2", "RD", "B3", 25)])

    assert price.total == brl("8.37")
    assert price.products[0].id == "poa-rail-bus"


def test_bus_then_bus_on_another_route_costs_7_20(engine):
    price = engine.price([ride("T1", "B1", "MR", 0), ride("T2", "RD", "B3", 30)])

    assert price.total == brl("7.20")
    assert [(p.id, p.leg_indexes) for p in price.products] == [("poa-bus-bus", (0, 1))]
    assert [(o.operator_id, o.amount) for o in price.operators] == [("EPTC", brl("7.20"))]


def test_bus_back_on_the_same_route_pays_two_fares(engine):
    price = engine.price([ride("T1", "B1", "MR", 0), ride("T1", "MR", "B1", 30)])

    assert price.total == brl("9.60")
    assert [p.id for p in price.products] == ["eptc-bus", "eptc-bus"]


def test_rail_alone_costs_4_50(engine):
    price = engine.price([ride("LINHA1", "MR", "AP", 0)])

    assert price.total == brl("4.50")
    assert [(p.id, p.amount) for p in price.products] == [("trensurb-rail", brl("4.50"))]
    assert price.operators[0].operator_id == "TRENS"


def test_bus_rail_bus_gets_only_one_discounted_transfer(engine):
    price = engine.price([ride("T1", "B1", "MR", 0), ride("LINHA1", "MR", "RD", 15), ride("T2", "RD", "B3", 35)])

    assert price.total == brl("8.37") + brl("4.80")
    assert [(p.id, p.amount, p.leg_indexes) for p in price.products] == [
        ("poa-bus-rail", brl("8.37"), (0, 1)),
        ("eptc-bus", brl("4.80"), (2,)),
    ]
    # standalone weights 4.80 + 4.80 (EPTC) and 4.50 (TRENS): 1317 * 960 / 1410 = 896.68 -> 8.97
    assert [(o.operator_id, o.amount) for o in price.operators] == [("EPTC", brl("8.97")), ("TRENS", brl("4.20"))]


def test_bus_then_rail_after_70_minutes_pays_both_fares(engine):
    price = engine.price([ride("T1", "B1", "MR", 0), ride("LINHA1", "MR", "AP", 70)])

    assert price.total == brl("9.30")
    assert [p.id for p in price.products] == ["eptc-bus", "trensurb-rail"]


@pytest.mark.parametrize(("minutes", "total"), [(60, "8.37"), (61, "9.30")])
def test_the_60_minute_window_includes_its_limit(engine, minutes, total):
    price = engine.price([ride("T1", "B1", "MR", 0), ride("LINHA1", "MR", "AP", minutes)])

    assert price.total == brl(total)


def test_rail_to_rail_is_free_without_a_time_limit(engine):
    price = engine.price([ride("LINHA1", "MR", "AP", 0), ride("LINHAAERO", "ATR", "ASG", 200)])

    assert price.total == brl("4.50")
    assert [(p.id, p.leg_indexes) for p in price.products] == [("trensurb-rail", (0, 1))]


def test_bus_then_two_rail_lines_is_one_integration(engine):
    price = engine.price([ride("T1", "B1", "MR", 0), ride("LINHA1", "MR", "AP", 20),
                          ride("LINHAAERO", "ATR", "ASG", 50)])

    assert price.total == brl("8.37")
    assert [(p.id, p.leg_indexes) for p in price.products] == [("poa-bus-rail", (0, 1, 2))]


def test_a_transfer_without_times_is_not_discounted(engine):
    price = engine.price([ItineraryLeg("T1", "B1", "MR"), ItineraryLeg("LINHA1", "MR", "AP")])

    assert price.total == brl("9.30")


def test_a_bus_route_without_a_fare_leaves_the_journey_without_total(engine):
    price = engine.price([ride("T1", "B1", "MR", 0), ride("X9", "B1", "B3", 20)])

    assert price.total is None
    assert price.unpriced_legs == (1,)
    assert price.operators == ()
    assert [(p.id, p.leg_indexes) for p in price.products] == [("eptc-bus", (0,))]
    assert price.legs[1].standalone is None


@pytest.mark.skipif(not POA_FARES.is_dir(), reason="shared/data/gtfs/poa_fares is not beside the checkout")
def test_the_example_says_exactly_what_the_r5r_tables_say():
    model = load_native_v2(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name)

    def rows(name: str) -> list[dict[str, str]]:
        with open(POA_FARES / name, encoding="utf-8", errors="replace", newline="") as handle:
            return list(csv.DictReader(handle))

    types = {row["type"]: row for row in rows("fares_per_type.csv")}
    settings = {row["setting"]: row["value"] for row in rows("global_settings.csv")}
    routes = rows("fares_per_route.csv")
    products = {p.id: p for p in model.products}
    bus, rail = products["eptc-bus"], products["trensurb-rail"]

    assert bus.scope.routes == {r["route_id"] for r in routes if r["fare_type"] == "BUS"}
    assert rail.scope.routes == {r["route_id"] for r in routes if r["fare_type"] == "RAIL"}
    assert {types[t]["use_route_fare"] for t in types} == {"FALSE"}  # so the type fare applies
    assert bus.fare.amount_minor == brl(types["BUS"]["fare"]).minor == 480
    assert rail.fare.amount_minor == brl(types["RAIL"]["fare"]).minor == 450
    assert rail.coverage is not None and rail.coverage.max_transfers is None  # unlimited_transfers TRUE
    assert types["RAIL"]["unlimited_transfers"] == "TRUE" and bus.coverage is None
    assert model.max_discounted_transfers == int(settings["max_discounted_transfers"])
    window_s = int(settings["transfer_time_allowance"]) * 60
    pairs = {
        tuple("BUS" if p == "eptc-bus" else "RAIL" for p in fare.sequence): (fare.amount_minor, fare.window_s)
        for fare in model.through_fares
    }
    assert pairs == {
        (row["first_leg"], row["second_leg"]): (brl(row["fare"]).minor, window_s)
        for row in rows("fares_per_transfer.csv")
    }
    same_route = {fare.sequence: fare.allow_same_route for fare in model.through_fares}
    assert same_route[("eptc-bus", "eptc-bus")] is (types["BUS"]["allow_same_route_transfer"] == "TRUE")
    assert settings["fare_cap"] == "Inf" and model.caps == ()
