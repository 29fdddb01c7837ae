"""The demo tariff in native format 2 prices exactly as its format-1 original, and offers the passes."""
from __future__ import annotations

import itertools
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from fares.graph import build_graph
from fares.native.v2 import NativeV2Engine, load_native_v2
from fares.network import Network
from fares.price import ItineraryLeg, Price
from fares.pricing import price_itinerary
from fares.routing import plan_journeys
from fares.tariff import ZoneTariff
from webapp.demo import DATA, TARIFF_FILE, demo_routes, demo_stops, demo_walks

BERLIN = ZoneInfo("Europe/Berlin")
NETWORK = Network({s.id: s for s in demo_stops()}, {r.id: r for r in demo_routes()}, tuple(demo_walks()))
FORMAT_1 = ZoneTariff.from_package(json.loads((DATA / "tariff.json").read_text(encoding="utf-8")))
FORMAT_2 = load_native_v2(TARIFF_FILE.read_text(encoding="utf-8"), TARIFF_FILE.name)
ENGINE = NativeV2Engine(FORMAT_2, NETWORK)
CATEGORIES = (None, "adult", "child", "senior")


def essentials(price: Price) -> tuple[object, ...]:
    """What a passenger pays and what clearing splits: total, category, zones, and each operator's share."""
    return (price.total, price.rider_category, [leg.zones for leg in price.legs],
            [(o.operator_id, o.amount, o.standalone) for o in price.operators])


def test_the_demo_loads_the_format_2_tariff_under_the_same_name():
    assert TARIFF_FILE.name == "tariff_v2.json"
    assert FORMAT_2.name == FORMAT_1.name == "VAU Verbundtarif 2026"
    assert [p.id for p in FORMAT_2.passes] == ["day-all", "week-altheim", "month-bvb", "subscription-month-all"]
    assert [p.amount.format() for p in FORMAT_2.passes] == ["15.00", "24.00", "52.00", "89.00"]


def test_every_ride_of_one_line_costs_what_format_1_charged_for_every_category():
    departure = datetime(2026, 3, 2, 8, 0, tzinfo=BERLIN)
    compared = 0
    for route in NETWORK.routes.values():
        for pattern in route.patterns:
            for i, j in itertools.combinations(range(len(pattern.stop_ids)), 2):
                legs = [ItineraryLeg(route.id, pattern.stop_ids[i], pattern.stop_ids[j], departure, None)]
                for category in CATEGORIES:
                    assert essentials(ENGINE.price(legs, category)) == \
                        essentials(price_itinerary(legs, NETWORK, FORMAT_1, category)), (legs, category)
                    compared += 1
    assert compared == 2312


@pytest.mark.parametrize("origin", ["ALT_EICH_WALDWEG", "WES_BF", "STE_BF", "UFH_ANLEGER", "BGS_ROEDERSDORF"])
def test_planned_journeys_cost_what_format_1_charged_as_one_ticket(origin):
    graph = build_graph(NETWORK)
    journeys = 0
    for destination in sorted(NETWORK.stops)[::4]:
        if destination == origin:
            continue
        for journey in plan_journeys(graph, NETWORK, origin, destination, datetime(2026, 3, 2, 7, 30)):
            rides = [ItineraryLeg(s.route_id, s.from_stop_id, s.to_stop_id, s.departure, s.arrival)
                     for s in journey.legs if s.route_id]
            if not rides:
                continue
            for category in CATEGORIES:
                price = ENGINE.price(rides, category)
                assert essentials(price) == essentials(price_itinerary(rides, NETWORK, FORMAT_1, category))
                assert len(price.products) == 1  # one through ticket, as in format 1
            journeys += 1
    assert journeys > 10


def test_the_thin_path_journey_still_costs_seven_ten_and_three_fifty_five_for_a_child():
    rides = [ItineraryLeg("SWA11", "ALT_EICH_WALDWEG", "ALT_WEST"), ItineraryLeg("RE1", "ALT_WEST", "BGS_BF"),
             ItineraryLeg("BVB21", "BGS_BF", "BGS_SONN_BUCHENWEG")]
    assert ENGINE.price(rides, "adult").total.format() == "7.10"
    assert ENGINE.price(rides, "child").total.format() == "3.55"
    assert ENGINE.price(rides, "senior").total.format() == "5.33"  # 7.10 x 0.75 = 5.325, half up
