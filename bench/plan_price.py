"""Plan + price on the Porto Alegre timetable (EPTC buses + TRENSURB trains), in-process.

N random origin/destination pairs of served stops at random times of a
weekday within the hours the EPTC feed runs (its trips leave between 11:00
and 17:00, weekdays April-July 2019). Measured in the same run:

* ``journeys`` RAPTOR earliest arrival (``TimetablePlanner.earliest_arrival``);
* ``journeys`` McRAPTOR Pareto set with prices (``TimetablePlanner.plan`` with
  ``fares.fare_search.fare_search_for`` over the real integrated tariff
  ``docs/examples/poa_integrated.json``, native format 2: bus 4.80, rail 4.50,
  bus<->rail 8.37 within 60 minutes, bus->bus 7.20), on the first
  ``pareto_pairs`` requests;
* baselines: the old frequency planner (``fares.planner.Planner.plan_and_price``)
  and one bare ``nx.shortest_path`` on its footpath-plus-route graph;
* cost growth: the network duplicated x2 and x3 (copies with renamed stops,
  routes, trips and services, times shifted by 2 minutes per copy) against
  its number of stop times;
* the timetable's build time and the memory it keeps (tracemalloc: what the
  build allocated and is still alive once the feed rows are dropped).
"""
from __future__ import annotations

import gc
import json
import random
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import networkx as nx

from core.errors import NoJourneyFound
from fares.fare_search import fare_search_for
from fares.graph import stop_node
from fares.gtfs.basics import load_basics
from fares.gtfs.network import NETWORK_FILES, build_network, merge_networks, parse_time
from fares.gtfs.reader import RawFeed, Row, Table, read_feed
from fares.native.v2 import NativeV2Engine, load_native_v2
from fares.network import Network
from fares.planner import Planner
from fares.validation import Problems
from journeys.gtfs_timetable import TIMETABLE_FILES, build
from journeys.mcraptor import SearchTooLarge
from journeys.planner import TimetablePlanner

FEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gtfs"
FEED_NAMES = ("poa_eptc.zip", "poa_trensurb.zip")
PAIRS, PARETO_PAIRS, GROWTH_PAIRS = 300, 300, 60
# the Pareto search: first rides within 15 minutes, at most 4 rides, and a label budget per request
PARETO = {"window": timedelta(minutes=15), "max_rides": 4, "max_labels": 3_000}
TARGETS = {"pareto_p50_ms": 50.0, "pareto_p95_ms": 150.0, "ea_p50_ms": 10.0, "timetable_mb": 60.0}
TARIFF = Path(__file__).resolve().parents[1] / "docs" / "examples" / "poa_integrated.json"
TIMEZONE = ZoneInfo("America/Sao_Paulo")
MONDAY = datetime(2019, 5, 6, tzinfo=TIMEZONE)
WINDOW_S = (11 * 3600 + 30 * 60, 15 * 3600 + 30 * 60)  # request times: the EPTC feed only runs 11:00-17:00
ID_COLUMNS = ("stop_id", "parent_station", "trip_id", "route_id", "service_id", "from_stop_id", "to_stop_id",
              "from_trip_id", "to_trip_id", "from_route_id", "to_route_id")
TIME_COLUMNS = ("arrival_time", "departure_time", "start_time", "end_time")


def load_porto_alegre(feeds: Path | None = None) -> tuple[Network, dict[str, float]]:
    """The old planner's frequency network (also the fare engine's stops and routes)."""
    seconds: dict[str, float] = {}
    networks = []
    for name in FEED_NAMES:
        start = time.perf_counter()
        raw = read_feed((feeds or FEEDS) / name, only=NETWORK_FILES)
        problems = Problems()
        basics = load_basics(raw, problems)
        networks.append(build_network(raw, basics, problems))
        problems.raise_if_any(name)
        seconds[f"old network: read + derive {name}"] = time.perf_counter() - start
    start = time.perf_counter()
    network = merge_networks(*networks)
    seconds["old network: merge"] = time.perf_counter() - start
    return network, seconds


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def shifted_copy(raw: RawFeed, copy: int, shift_s: int) -> RawFeed:
    """The feed with every id prefixed by ``x{copy}:`` and every time ``shift_s`` later."""
    tables = {}
    for name, table in raw.tables.items():
        if name == "agency.txt":
            tables[name] = table
            continue
        rows = []
        for row in table.rows:
            values = dict(row.values)
            for column in ID_COLUMNS:
                if values.get(column):
                    values[column] = f"x{copy}:{values[column]}"
            for column in TIME_COLUMNS:
                if values.get(column):
                    values[column] = _hms(parse_time(values[column]) + shift_s)
            rows.append(Row(row.line, values))
        tables[name] = Table(name, table.columns, tuple(rows))
    return RawFeed(f"{raw.source} x{copy}", tables)


def _ms(samples: list[float], q: int) -> float:
    """The q-th percentile in milliseconds."""
    if len(samples) < 2:
        return samples[0] * 1000 if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


def _timed(call: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    try:
        result = call()
    except NoJourneyFound:
        result = None
    except SearchTooLarge:
        result = SearchTooLarge
    return time.perf_counter() - start, result


def _requests(served: list[str], pairs: int, seed: int) -> list[tuple[str, str, datetime]]:
    rng = random.Random(seed)
    return [(*rng.sample(served, 2), MONDAY + timedelta(seconds=rng.randrange(*WINDOW_S)))  # type: ignore[misc]
            for _ in range(pairs)]


def main(pairs: int = PAIRS, seed: int = 7, quick: bool = False, pareto_pairs: int = PARETO_PAIRS,
         growth_pairs: int = GROWTH_PAIRS, growth_copies: tuple[int, ...] = (1, 2, 3)) -> None:
    if quick:
        pairs, pareto_pairs, growth_pairs = 40, 6, 4
    pareto_pairs = min(pareto_pairs, pairs)
    raws = [read_feed(FEEDS / name, only=TIMETABLE_FILES) for name in FEED_NAMES]
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    timetable, footpaths = build(raws)
    build_s = time.perf_counter() - start
    gc.collect()
    timetable_mb = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    planner = TimetablePlanner(timetable, footpaths)

    network, setup = load_porto_alegre()
    old = Planner(network)
    engine = NativeV2Engine(load_native_v2(TARIFF.read_text(encoding="utf-8"), TARIFF.name), network)
    fare_search = fare_search_for(engine)

    served = sorted({timetable.stops[s].stop_id for s in timetable.route_stops.tolist()})
    requests = _requests(served, pairs, seed)
    for a, b, at in requests[:3]:  # warm-up (compiles the scans), not counted
        _timed(lambda a=a, b=b, at=at: planner.earliest_arrival(a, b, at))
        _timed(lambda a=a, b=b, at=at: old.plan_and_price(engine, a, b, at))

    samples: dict[str, list[float]] = {"ea": [], "pareto": [], "old": [], "nx": []}
    found = options = cheaper = rail = too_large = 0
    for n, (a, b, at) in enumerate(requests):
        took, journey = _timed(lambda: planner.earliest_arrival(a, b, at))  # noqa: B023
        samples["ea"].append(took)
        found += journey is not None
        if n < pareto_pairs:
            took, result = _timed(lambda: planner.plan(a, b, at, fare_search, **PARETO))  # noqa: B023
            samples["pareto"].append(took)
            if result is SearchTooLarge:
                too_large += 1  # the baselines below are still timed for this request
            else:
                for option in result or ():  # type: ignore[attr-defined]
                    options += 1
                    cheaper += "cheapest" in option.criteria and "fastest" not in option.criteria
                    rail += any(leg.operator_id == "TRENS" for leg in option.legs)
        took, _ = _timed(lambda: old.plan_and_price(engine, a, b, at))  # noqa: B023
        samples["old"].append(took)
        start = time.perf_counter()
        try:
            nx.shortest_path(old.graph, stop_node(a), stop_node(b), weight="seconds")
        except nx.NetworkXNoPath:
            pass
        samples["nx"].append(time.perf_counter() - start)

    growth = []
    for copies in growth_copies:
        feeds = raws + [shifted_copy(raw, c, 120 * c) for c in range(1, copies) for raw in raws]
        grown, grown_walks = build(feeds) if copies > 1 else (timetable, footpaths)
        grown_planner = TimetablePlanner(grown, grown_walks)
        ea, pareto = [], []
        for a, b, at in requests[:growth_pairs]:
            ea.append(_timed(lambda: grown_planner.earliest_arrival(a, b, at))[0])  # noqa: B023
            pareto.append(_timed(lambda: grown_planner.plan(a, b, at, fare_search, **PARETO))[0])  # noqa: B023
        growth.append((copies, grown.stop_time_count, _ms(ea, 50), _ms(pareto, 50)))

    print(f"Porto Alegre timetable: {len(timetable.stops)} stops, {timetable.route_count} RAPTOR routes, "
          f"{len(timetable.trip_ids)} trips, {timetable.stop_time_count} stop times, "
          f"{len(footpaths.walk_to)} closed footpaths; built in {build_s:.2f} s, keeps {timetable_mb:.1f} MB; "
          f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for what, took in setup.items():
        print(f"  {what:<44} {took * 1000:8.0f} ms")
    print(f"{pairs} requests (seed {seed}): {found} with a journey; Pareto on the first {pareto_pairs}: {options} "
          f"options, {cheaper} cheapest but not fastest, {rail} using TRENSURB, {too_large} stopped at "
          f"{PARETO['max_labels']} labels (fare search {type(fare_search).__name__}, {PARETO})")
    print(f"{'':<40} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    names = {"ea": "RAPTOR earliest arrival", "pareto": "McRAPTOR Pareto with prices",
             "old": "old frequency planner plan_and_price", "nx": "bare nx.shortest_path (seconds)"}
    for key, name in names.items():
        values = samples[key]
        print(f"{name:<40} {_ms(values, 50):8.2f} {_ms(values, 95):8.2f} {statistics.fmean(values) * 1000:8.2f}")
    print(f"growth on {growth_pairs} requests: copies, stop times, EA p50 ms, Pareto p50 ms, Pareto ms per 100k "
          "stop times")
    for copies, stop_times, ea_p50, pareto_p50 in growth:
        print(f"  x{copies} {stop_times:>9} {ea_p50:8.2f} {pareto_p50:10.2f} {pareto_p50 / stop_times * 1e5:10.2f}")
    figures = {
        "bench": "plan_price", "pairs": pairs, "pareto_pairs": pareto_pairs,
        "pareto_p50_ms": round(_ms(samples["pareto"], 50), 2), "pareto_p95_ms": round(_ms(samples["pareto"], 95), 2),
        "ea_p50_ms": round(_ms(samples["ea"], 50), 2), "ea_p95_ms": round(_ms(samples["ea"], 95), 2),
        "old_planner_p50_ms": round(_ms(samples["old"], 50), 2), "nx_p50_ms": round(_ms(samples["nx"], 50), 3),
        "pareto_too_large": too_large, "growth_stop_times": [g[1] for g in growth],
        "growth_ea_p50_ms": [round(g[2], 2) for g in growth],
        "growth_pareto_p50_ms": [round(g[3], 2) for g in growth],
        "growth_ms_per_stop_time": [round(g[3] / g[1], 6) for g in growth],
        "timetable_build_s": round(build_s, 2), "timetable_mb": round(timetable_mb, 1),
    }
    for key, target in TARGETS.items():
        print(f"target {key} < {target}: {'met' if figures[key] < target else 'MISSED'} ({figures[key]})")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
