"""Planning and pricing on the real Porto Alegre feeds: EPTC buses and the TRENSURB train, merged.

The EPTC feed runs on weekdays of April-July 2019, between about 11:00 and 17:00.
"""
from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import networkx as nx
import pytest

from core.money import Money
from fares.graph import fastest_weight, fewest_transfers_weight, stop_node
from fares.gtfs.basics import load_basics
from fares.gtfs.network import NETWORK_FILES, build_network, merge_networks
from fares.gtfs.reader import read_feed
from fares.network import Network
from fares.planner import Planner
from fares.price import ItineraryLeg, Price, PricedLeg
from fares.validation import Problems

MONDAY_1PM = datetime(2019, 5, 6, 13, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))


class FlatPerLeg:
    currency = "BRL"

    def __init__(self, network: Network) -> None:
        self.network = network

    def price(self, legs: Sequence[ItineraryLeg], rider_category: str | None = None,
              fare_media: str | None = None) -> Price:
        fares = {"EPTC": 480, "TRENS": 450}
        priced = tuple(
            PricedLeg(i, self.network.routes[leg.route_id].operator_id, leg.route_id, leg.from_stop_id,
                      leg.to_stop_id, (), Money(fares[self.network.routes[leg.route_id].operator_id], "BRL"))
            for i, leg in enumerate(legs))
        total = Money(sum(p.standalone.minor for p in priced), "BRL")
        return Price("BRL", total, rider_category, (), priced, (), ())


@pytest.fixture(scope="module")
def planner(shared_gtfs: Path) -> Planner:
    networks = []
    for name in ("poa_eptc.zip", "poa_trensurb.zip"):
        problems = Problems()
        raw = read_feed(shared_gtfs / name, only=NETWORK_FILES, problems=problems)
        networks.append(build_network(raw, load_basics(raw, problems), problems))
        assert problems.items == []
    return Planner(merge_networks(*networks))


def timeline(journey) -> list[tuple[str, str | None, str, str, str, str]]:
    return [(leg.mode, leg.route_id, leg.from_stop_id, leg.to_stop_id, f"{leg.departure:%H:%M}",
             f"{leg.arrival:%H:%M}") for leg in journey.legs]


def test_from_the_parobe_bus_terminal_one_walks_to_mercado_station_and_takes_the_train(planner):
    ((journey, price),) = planner.plan_and_price(FlatPerLeg(planner.network), "5257", "NH", MONDAY_1PM)

    assert journey.criteria == ("fastest", "fewest_transfers", "cheapest")
    assert timeline(journey) == [
        ("walk", None, "5257", "MR", "13:00", "13:02"),
        ("rail", "LINHA1", "MR", "NH", "13:06", "13:58"),
    ]
    assert journey.legs[1].operator_id == "TRENS"
    assert price.total == Money(450, "BRL")


def test_bus_bus_and_train_is_fastest_but_one_bus_is_cheapest(planner):
    options = planner.plan_and_price(FlatPerLeg(planner.network), "1899", "6347", MONDAY_1PM)

    assert [(j.criteria, [leg.route_id for leg in j.legs if leg.route_id], f"{j.arrival:%H:%M}", p.total)
            for j, p in options] == [
        (("fastest",), ["T4", "397", "LINHA1"], "13:54", Money(1410, "BRL")),
        (("fewest_transfers", "cheapest"), ["T11"], "14:11", Money(480, "BRL")),
    ]


def test_the_compiled_search_finds_paths_as_short_as_networkx(planner):
    rng = random.Random(11)
    served = sorted({s for r in planner.network.routes.values() for p in r.patterns for s in p.stop_ids})
    checked = 0
    for _ in range(25):
        a, b = (stop_node(s) for s in rng.sample(served, 2))
        for penalty, weight in ((0.0, fastest_weight), (3600.0, fewest_transfers_weight)):
            found = planner.search.shortest_path(a, b, penalty)
            try:
                expected = nx.shortest_path_length(planner.graph, a, b, weight=weight)
            except nx.NetworkXNoPath:
                assert found is None
                continue
            assert found is not None and found[0] == expected
            path = found[1]
            assert (path[0], path[-1]) == (a, b)
            steps = zip(path, path[1:], strict=False)
            assert sum(weight(u, v, planner.graph.edges[u, v]) for u, v in steps) == expected
            checked += 1
    assert checked >= 48  # of 50: the feeds are almost one connected network


def test_the_benchmark_runs_and_reports_its_table(capsys):
    from bench.plan_price import main

    main(pairs=6, pareto_pairs=2, growth_pairs=2, growth_copies=(1,))

    out = capsys.readouterr().out
    assert "6 requests (seed 7)" in out
    for baseline in ("RAPTOR earliest arrival", "McRAPTOR Pareto with prices", "old frequency planner",
                     "bare nx.shortest_path (seconds)"):
        assert baseline in out
    figures = json.loads(out.strip().splitlines()[-1])
    assert figures["bench"] == "plan_price" and figures["pareto_pairs"] == 2
    assert {"pareto_p50_ms", "pareto_p95_ms", "ea_p50_ms", "old_planner_p50_ms", "nx_p50_ms",
            "growth_ms_per_stop_time", "timetable_mb"} <= figures.keys()
