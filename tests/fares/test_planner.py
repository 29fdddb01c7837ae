"""Fare-aware planning on a toy network priced by a toy engine.

    EXPRESS (EXP)   O -20 min- D            every 10 min 06:00-22:00
    LOCAL   (CHEAP) O -20- M -15- D         every 10 min 06:00-22:00
    FEEDER  (EXP)   O -5- M                 every 10 min 06:00-22:00
    walk            O <-2 min-> W

The toy engine charges a flat fare per leg by operator (EXP 5.00, CHEAP 2.00 unless told otherwise).
Monday 2 March 2026.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import pytest

import fares.planner as planner_module
from core.errors import NoFareFound, NoJourneyFound, NotFound
from core.money import Money
from fares.graph import build_graph, search_for
from fares.network import Network, Pattern, Route, Stop, Walk
from fares.planner import CHEAPEST_MAX_FACTOR, Planner, plan_and_price
from fares.price import ItineraryLeg, Price, PricedLeg


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute)


def toy_network(local_ride_s: tuple[int, int] = (1200, 900)) -> Network:
    stops = {sid: Stop(sid, f"Stop {sid}", 50.0, 8.0) for sid in ("O", "M", "D", "W")}
    day = (6 * 3600, 22 * 3600)
    routes = {
        "EXPRESS": Route("EXPRESS", "EXP", "X", "rail", 600, *day, patterns=(
            Pattern("EXPRESS", 0, ("O", "D"), (0, 1200)),)),
        "LOCAL": Route("LOCAL", "CHEAP", "L", "bus", 600, *day, patterns=(
            Pattern("LOCAL", 0, ("O", "M", "D"), (0, local_ride_s[0], sum(local_ride_s))),)),
        "FEEDER": Route("FEEDER", "EXP", "F", "bus", 600, *day, patterns=(
            Pattern("FEEDER", 0, ("O", "M"), (0, 300)),)),
    }
    return Network(stops, routes, (Walk("O", "W", 120), Walk("W", "O", 120)))


class ToyEngine:
    currency = "EUR"

    def __init__(self, network: Network, fares: dict[str, int], refuse: frozenset[str] = frozenset()) -> None:
        self.network = network
        self.fares = fares
        self.refuse = refuse
        self.calls: list[tuple[tuple[ItineraryLeg, ...], str | None, str | None]] = []

    def price(self, legs: Sequence[ItineraryLeg], rider_category: str | None = None,
              fare_media: str | None = None) -> Price:
        self.calls.append((tuple(legs), rider_category, fare_media))
        priced = []
        for index, leg in enumerate(legs):
            operator = self.network.routes[leg.route_id].operator_id
            if operator in self.refuse:
                raise NoFareFound(f"no fare for {operator}")
            priced.append(PricedLeg(index, operator, leg.route_id, leg.from_stop_id, leg.to_stop_id, (),
                                    Money(self.fares[operator], "EUR")))
        total = Money(sum(p.standalone.minor for p in priced), "EUR")
        return Price("EUR", total, rider_category, (), tuple(priced), (), ("toy",))


NETWORK = toy_network()
PLANNER = Planner(NETWORK)
FARES = {"EXP": 500, "CHEAP": 200}


def summary(options: list) -> list[tuple[tuple[str, ...], list[str | None], datetime, int | None]]:
    return [(j.criteria, [leg.route_id for leg in j.legs], j.arrival, p.total.minor if p.total else None)
            for j, p in options]


def test_cheapest_is_a_slower_option_when_it_costs_less():
    options = PLANNER.plan_and_price(ToyEngine(NETWORK, FARES), "O", "D", at(7))

    assert summary(options) == [
        (("fastest", "fewest_transfers"), ["EXPRESS"], at(7, 20), 500),
        (("cheapest",), ["LOCAL"], at(7, 35), 200),
    ]


def test_with_equal_prices_one_option_wins_every_criterion():
    options = PLANNER.plan_and_price(ToyEngine(NETWORK, {"EXP": 300, "CHEAP": 300}), "O", "D", at(7))

    assert summary(options) == [(("fastest", "fewest_transfers", "cheapest"), ["EXPRESS"], at(7, 20), 300)]


def test_a_cheap_option_that_takes_more_than_twice_as_long_is_not_offered():
    assert CHEAPEST_MAX_FACTOR == 2.0
    # the local now takes 41 min: 1 min over twice the express's 20 min
    network = toy_network(local_ride_s=(1500, 960))

    options = Planner(network).plan_and_price(ToyEngine(network, FARES), "O", "D", at(7))

    assert summary(options) == [(("fastest", "fewest_transfers", "cheapest"), ["EXPRESS"], at(7, 20), 500)]


def test_a_cheap_option_exactly_twice_as_long_is_still_offered():
    network = toy_network(local_ride_s=(1500, 900))

    options = Planner(network).plan_and_price(ToyEngine(network, FARES), "O", "D", at(7))

    assert summary(options)[1] == (("cheapest",), ["LOCAL"], at(7, 40), 200)


def test_the_fastest_is_the_earliest_arrival_by_timetable_not_the_fastest_on_average():
    # the express now runs hourly: 30 min average wait + 20 min against the local's 5 + 35 min
    express = replace(NETWORK.routes["EXPRESS"], headway_s=3600)
    network = Network(NETWORK.stops, dict(NETWORK.routes, EXPRESS=express), NETWORK.walks)
    planner = Planner(network)

    options = planner.plan_and_price(ToyEngine(network, FARES), "O", "D", at(7))

    assert summary(options) == [
        (("fastest", "fewest_transfers"), ["EXPRESS"], at(7, 20), 500),
        (("cheapest",), ["LOCAL"], at(7, 35), 200),
    ]
    # planning without fares names the fastest on average; the express is neither of its options
    assert [(j.criteria, [leg.route_id for leg in j.legs], j.arrival) for j in planner.plan("O", "D", at(7))] == [
        (("fastest",), ["FEEDER", "LOCAL"], at(7, 25)),
        (("fewest_transfers",), ["LOCAL"], at(7, 35)),
    ]


def test_an_option_the_engine_cannot_price_has_no_total_and_is_never_cheapest():
    options = PLANNER.plan_and_price(ToyEngine(NETWORK, FARES, refuse=frozenset({"EXP"})), "O", "D", at(7))

    assert summary(options) == [
        (("fastest", "fewest_transfers"), ["EXPRESS"], at(7, 20), None),
        (("cheapest",), ["LOCAL"], at(7, 35), 200),
    ]
    price = options[0][1]
    assert (price.currency, price.unpriced_legs, price.rules) == ("EUR", (0,), ("no fare for EXP",))


def test_the_engine_prices_only_the_rides_with_the_riders_category_and_media():
    engine = ToyEngine(NETWORK, FARES)

    PLANNER.plan_and_price(engine, "W", "D", at(7), rider_category="senior", fare_media="card")

    first_legs, category, media = engine.calls[0]
    assert (category, media) == ("senior", "card")
    assert [(leg.route_id, leg.from_stop_id, leg.to_stop_id, leg.departure, leg.arrival) for leg in first_legs] == [
        ("EXPRESS", "O", "D", at(7, 10), at(7, 30))]  # the walk W-O (2 min) is not priced


def test_a_walk_only_journey_costs_nothing_and_asks_the_engine_nothing():
    engine = ToyEngine(NETWORK, FARES)

    ((journey, price),) = PLANNER.plan_and_price(engine, "O", "W", at(7))

    assert journey.criteria == ("fastest", "fewest_transfers", "cheapest")
    assert [leg.mode for leg in journey.legs] == ["walk"]
    assert (price.total, price.rules) == (Money(0, "EUR"), ("walking only: no fare",))
    assert engine.calls == []


def test_candidates_include_the_fastest_without_each_operator_used():
    journeys = PLANNER.candidates("O", "D", at(7))

    assert [[leg.route_id for leg in j.legs] for j in journeys] == [["EXPRESS"], ["LOCAL"]]
    assert all(j.criteria == () for j in journeys)


def test_unknown_stops_and_unconnected_stops_are_refused():
    engine = ToyEngine(NETWORK, FARES)
    with pytest.raises(NotFound):
        PLANNER.plan_and_price(engine, "O", "NOPE", at(7))
    with pytest.raises(NoJourneyFound):
        PLANNER.plan_and_price(engine, "D", "O", at(7))


# --- caching ----------------------------------------------------------------------------


def test_a_planner_builds_its_graph_once_for_all_requests(monkeypatch):
    built = []
    real_build = planner_module.build_graph
    monkeypatch.setattr(planner_module, "build_graph", lambda network: built.append(network) or real_build(network))

    planner = Planner(NETWORK)
    for hour in (7, 8, 9):
        planner.plan_and_price(ToyEngine(NETWORK, FARES), "O", "D", at(hour))

    assert built == [NETWORK]


def test_planning_on_a_bare_graph_reuses_one_planner_and_search_per_graph(monkeypatch):
    graph = build_graph(NETWORK)
    monkeypatch.setattr(planner_module, "build_graph", lambda network: pytest.fail("graph rebuilt"))

    first = plan_and_price(graph, NETWORK, ToyEngine(NETWORK, FARES), "O", "D", at(7))
    second = plan_and_price(graph, NETWORK, ToyEngine(NETWORK, FARES), "O", "D", at(7))

    assert summary(first) == summary(second)
    assert Planner.for_graph(graph, NETWORK) is Planner.for_graph(graph, NETWORK)
    assert Planner.for_graph(graph, NETWORK).search is search_for(graph)


def test_plan_and_price_accepts_a_planner():
    options = plan_and_price(PLANNER, NETWORK, ToyEngine(NETWORK, FARES), "O", "D", at(7))

    assert [j.criteria for j, _ in options] == [("fastest", "fewest_transfers"), ("cheapest",)]


def test_the_planners_plain_plan_is_plan_journeys():
    journeys = PLANNER.plan("O", "D", at(7))

    assert [(j.criteria, [leg.route_id for leg in j.legs]) for j in journeys] == [
        (("fastest", "fewest_transfers"), ["EXPRESS"])]
