"""Plan + price on the merged Porto Alegre network (EPTC buses + TRENSURB trains), in-process.

N random origin/destination pairs of served stops at random times of a weekday
within the hours the EPTC feed covers (its runs start between 11:00 and 17:00);
each request is ``Planner.plan_and_price`` (candidate searches, timing, pricing,
choice per criterion). The baseline is one bare ``nx.shortest_path`` (seconds
as weight) on the same graph for the same pairs in the same run. Pricing uses
``LegFareEngine`` below (4.80 BRL per EPTC leg, 4.50 BRL per TRENS leg), not a
real tariff.
"""
from __future__ import annotations

import random
import statistics
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import networkx as nx

from core.errors import NoJourneyFound
from core.money import Money
from fares.graph import stop_node
from fares.gtfs.basics import load_basics
from fares.gtfs.network import NETWORK_FILES, build_network, merge_networks
from fares.gtfs.reader import read_feed
from fares.network import Network
from fares.planner import Planner
from fares.price import ItineraryLeg, OperatorAmount, Price, PricedLeg, Product
from fares.validation import Problems

FEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gtfs"
PAIRS = 300
TARGET_P50_MS, TARGET_P95_MS = 30.0, 100.0
TIMEZONE = ZoneInfo("America/Sao_Paulo")
WINDOW_S = (11 * 3600 + 30 * 60, 15 * 3600 + 30 * 60)  # request times: the EPTC feed only runs 11:00-17:00


class LegFareEngine:
    """A flat fare per leg by operator: enough to make operator choice matter for "cheapest"."""

    currency = "BRL"

    def __init__(self, network: Network, fares_minor: dict[str, int]) -> None:
        self.network = network
        self.fares = fares_minor

    def price(self, legs: Sequence[ItineraryLeg], rider_category: str | None = None,
              fare_media: str | None = None) -> Price:
        priced = []
        per_operator: dict[str, int] = {}
        for index, leg in enumerate(legs):
            operator = self.network.routes[leg.route_id].operator_id
            fare = Money(self.fares[operator], self.currency)
            priced.append(PricedLeg(index, operator, leg.route_id, leg.from_stop_id, leg.to_stop_id, (), fare,
                                    (f"flat-{operator}",)))
            per_operator[operator] = per_operator.get(operator, 0) + fare.minor
        total = Money(sum(per_operator.values()), self.currency)
        operators = tuple(OperatorAmount(op, Money(m, self.currency), Money(m, self.currency))
                          for op, m in sorted(per_operator.items()))
        products = tuple(Product(f"single-{p.operator_id}", f"{p.operator_id} single", p.standalone, (p.index,))
                         for p in priced if p.standalone is not None)
        return Price(self.currency, total, rider_category, products, tuple(priced), operators,
                     ("flat fare per leg and operator",))


def load_porto_alegre(feeds: Path = FEEDS) -> tuple[Network, dict[str, float]]:
    seconds: dict[str, float] = {}
    networks = []
    for name in ("poa_eptc.zip", "poa_trensurb.zip"):
        start = time.perf_counter()
        raw = read_feed(feeds / name, only=NETWORK_FILES)
        problems = Problems()
        basics = load_basics(raw, problems)
        networks.append(build_network(raw, basics, problems))
        problems.raise_if_any(name)
        seconds[f"read + derive {name}"] = time.perf_counter() - start
    start = time.perf_counter()
    network = merge_networks(*networks)
    seconds["merge"] = time.perf_counter() - start
    return network, seconds


def _ms(samples: list[float], q: int) -> float:
    """The q-th percentile in milliseconds."""
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


def main(pairs: int = PAIRS, seed: int = 7) -> None:
    network, setup = load_porto_alegre()
    start = time.perf_counter()
    planner = Planner(network)
    setup["Planner (graph + compiled search)"] = time.perf_counter() - start
    engine = LegFareEngine(network, {"EPTC": 480, "TRENS": 450})

    served = sorted({s for route in network.routes.values() for p in route.patterns for s in p.stop_ids})
    rng = random.Random(seed)
    monday = datetime(2019, 5, 6, tzinfo=TIMEZONE)
    requests = [(*rng.sample(served, 2), monday + timedelta(seconds=rng.randrange(*WINDOW_S)))
                for _ in range(pairs)]
    for a, b, at in requests[:5]:  # warm-up, not counted
        try:
            planner.plan_and_price(engine, a, b, at)
        except NoJourneyFound:
            pass

    bare: list[float] = []
    full: list[float] = []
    options = cheaper = no_journey = with_rail = 0
    for a, b, at in requests:
        t0 = time.perf_counter()
        try:
            nx.shortest_path(planner.graph, stop_node(a), stop_node(b), weight="seconds")
        except nx.NetworkXNoPath:
            pass
        t1 = time.perf_counter()
        try:
            result = planner.plan_and_price(engine, a, b, at)
        except NoJourneyFound:
            result = []
            no_journey += 1
        t2 = time.perf_counter()
        bare.append(t1 - t0)
        full.append(t2 - t1)
        options += len(result)
        cheaper += sum(1 for j, _ in result if "cheapest" in j.criteria and "fastest" not in j.criteria)
        with_rail += any(leg.operator_id == "TRENS" for j, _ in result for leg in j.legs)

    print(f"merged Porto Alegre network: {len(network.stops)} stops, {len(network.routes)} routes, "
          f"{sum(len(r.patterns) for r in network.routes.values())} patterns, {len(network.walks)} walks; "
          f"graph {planner.graph.number_of_nodes()} nodes, {planner.graph.number_of_edges()} edges")
    for what, took in setup.items():
        print(f"  {what:<38} {took * 1000:8.0f} ms")
    print(f"{pairs} requests (seed {seed}): {options} options, {cheaper} with a cheapest option that is not the "
          f"fastest, {with_rail} using TRENSURB, {no_journey} without a journey")
    print(f"{'':<34} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    rows = (("bare nx.shortest_path (seconds)", bare), ("plan_and_price", full))
    for name, samples in rows:
        print(f"{name:<34} {_ms(samples, 50):8.2f} {_ms(samples, 95):8.2f} {statistics.fmean(samples) * 1000:8.2f}")
    p50, p95 = _ms(full, 50), _ms(full, 95)
    print(f"{'ratio plan_and_price / bare':<34} {p50 / _ms(bare, 50):8.2f} {p95 / _ms(bare, 95):8.2f} "
          f"{statistics.fmean(full) / statistics.fmean(bare):8.2f}")
    verdict = "met" if p50 < TARGET_P50_MS and p95 < TARGET_P95_MS else "MISSED"
    print(f"target p50 < {TARGET_P50_MS:.0f} ms, p95 < {TARGET_P95_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
