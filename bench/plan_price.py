"""Plan + price on the merged Porto Alegre network (EPTC buses + TRENSURB trains), in-process.

N random origin/destination pairs of served stops at random times of a weekday
within the hours the EPTC feed covers (its runs start between 11:00 and 17:00);
each request is ``Planner.plan_and_price`` (candidate searches, timing, pricing,
choice per criterion). The baseline is one bare ``nx.shortest_path`` (seconds
as weight) on the same graph for the same pairs in the same run. Pricing uses the
real integrated tariff ``docs/examples/poa_integrated.json`` (native format 2:
bus 4.80, rail 4.50, bus<->rail 8.37 within 60 minutes, bus->bus 7.20).
"""
from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import networkx as nx

from core.errors import NoJourneyFound
from fares.graph import stop_node
from fares.gtfs.basics import load_basics
from fares.gtfs.network import NETWORK_FILES, build_network, merge_networks
from fares.gtfs.reader import read_feed
from fares.native.v2 import NativeV2Engine, load_native_v2
from fares.network import Network
from fares.planner import Planner
from fares.validation import Problems

FEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gtfs"
PAIRS = 300
TARGET_P50_MS, TARGET_P95_MS = 30.0, 100.0
TARIFF = Path(__file__).resolve().parents[1] / "docs" / "examples" / "poa_integrated.json"
TIMEZONE = ZoneInfo("America/Sao_Paulo")
WINDOW_S = (11 * 3600 + 30 * 60, 15 * 3600 + 30 * 60)  # request times: the EPTC feed only runs 11:00-17:00


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
    engine = NativeV2Engine(load_native_v2(TARIFF.read_text(encoding="utf-8"), TARIFF.name), network)

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
