"""Fare state in a journey search: microseconds per ``extend`` and per ``dominates``, per tariff.

For each tariff, random journeys of 1-5 rides on its network (random route
segments one after another, 2-30 minutes between arrival and the next
departure, on a weekday between 07:00 and 19:00) are extended ride by ride
with the tariff's own ``FareSearch`` (``fare_search_for``) and, in the same
run, with ``PrefixFareSearch`` (which prices the whole prefix with the engine
at every ride: what a search without a fare state would do). Then pairs of
the resulting states that end at the same stop (as a McRAPTOR compares labels
at a stop) are compared with ``dominates`` by both; ``decided`` is the share
of those pairs where one dominates the other, i.e. where the search may drop
a label. Each state's ``paid_minor`` is checked against the prefix search's.
Times are CPU time of this process (``time.process_time``), the best of
several passes: the machine is shared, and waiting for a core is not the
search's cost.

Tariffs: Porto Alegre (``docs/examples/poa_integrated.json``, native format 2,
on the merged EPTC + TRENSURB network of ``../shared/data/gtfs``), the demo
tariff in format 2 (``webapp/demo/data/tariff_v2.json``) and in format 1
(``tariff.json``, zone counts) on the demo network, and the EPTC feed's own
GTFS Fares v1 (one flat fare) on its buses.
"""
from __future__ import annotations

import functools
import gc
import json
import math
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fares.engines import ZoneTariffEngine
from fares.fare_search import FareSearch, PrefixFareSearch, fare_search_for
from fares.gtfs.basics import load_basics
from fares.gtfs.reader import read_feed
from fares.gtfs.tariff import engine_from_raw
from fares.native.v2 import NativeV2Engine, load_native_v2
from fares.network import Network
from fares.price import FareEngine, ItineraryLeg
from fares.tariff import ZoneTariff
from fares.validation import Problems

ROOT = Path(__file__).resolve().parents[1]
POA_TARIFF = ROOT / "docs" / "examples" / "poa_integrated.json"
JOURNEYS, QUICK_JOURNEYS = 2000, 200
PAIRS, QUICK_PAIRS = 20_000, 2_000
REPEATS = 5
MAX_RIDES = 5  # rides per journey: a McRAPTOR of 5 rounds


def journeys(network: Network, timezone: str, count: int, rnd: random.Random) -> list[list[ItineraryLeg]]:
    tz = ZoneInfo(timezone)
    patterns = [(route.id, pattern.stop_ids) for route in sorted(network.routes.values(), key=lambda r: r.id)
                for pattern in route.patterns if len(pattern.stop_ids) > 1]
    by_stop: dict[str, list[tuple[str, tuple[str, ...], int]]] = defaultdict(list)
    for route_id, stops in patterns:
        for index, stop in enumerate(stops[:-1]):
            by_stop[stop].append((route_id, stops, index))
    out = []
    for _ in range(count):
        moment = datetime(2026, 3, 4, 7, 0, tzinfo=tz) + timedelta(minutes=rnd.randrange(12 * 60))
        route_id, stops = rnd.choice(patterns)
        board = rnd.randrange(len(stops) - 1)
        rides = []
        for _ in range(rnd.randint(1, MAX_RIDES)):
            alight = rnd.randrange(board + 1, min(len(stops), board + 15))
            arrival = moment + timedelta(minutes=2 * (alight - board))
            rides.append(ItineraryLeg(route_id, stops[board], stops[alight], moment, arrival))
            moment = arrival + timedelta(minutes=rnd.randint(2, 30))
            onward = [c for c in by_stop.get(stops[alight], ()) if c[0] != route_id] or by_stop.get(stops[alight])
            if not onward:
                break
            route_id, stops, board = rnd.choice(onward)
        out.append(rides)
    return out


def _timed(search: FareSearch[object], trips: Sequence[Sequence[ItineraryLeg]],
           repeats: int) -> tuple[float, list[float], list[list[object]]]:
    """Microseconds per extend overall and by the ride's position in its journey (1st, 2nd, ...), the best of
    ``repeats`` passes (the machine is shared), and every state reached."""
    clock = time.process_time
    best, best_by_position = math.inf, [math.inf] * MAX_RIDES
    for _ in range(repeats):
        states: list[list[object]] = []
        spent = [0.0] * MAX_RIDES
        calls = [0] * MAX_RIDES
        for trip in trips:
            state = search.initial()
            reached = []
            for position, ride in enumerate(trip):
                start = clock()
                state = search.extend(state, ride)
                spent[position] += clock() - start
                calls[position] += 1
                reached.append(state)
            states.append(reached)
        best = min(best, sum(spent) / sum(calls) * 1e6)
        best_by_position = [min(b, s / c * 1e6) if c else b for b, s, c in zip(best_by_position, spent, calls,
                                                                                strict=True)]
    return best, best_by_position, states


def _pairs(trips: Sequence[Sequence[ItineraryLeg]], count: int, rnd: random.Random) -> list[tuple[int, int, int, int]]:
    """(journey, ride, journey, ride) of two prefixes that end at the same stop."""
    ends: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for j, trip in enumerate(trips):
        for r, ride in enumerate(trip):
            ends[ride.to_stop_id].append((j, r))
    shared = [group for group in ends.values() if len(group) > 1]
    out = []
    while shared and len(out) < count:
        group = rnd.choice(shared)
        (ja, ra), (jb, rb) = rnd.sample(group, 2)
        out.append((ja, ra, jb, rb))
    return out


def _dominance(search: FareSearch[object], states: list[list[object]],
               pairs: Sequence[tuple[int, int, int, int]], repeats: int) -> tuple[float, float]:
    """Microseconds per dominates (both directions count as calls; best of ``repeats``), share of pairs decided."""
    best = math.inf
    for _ in range(repeats):
        decided = 0
        start = time.process_time()
        for ja, ra, jb, rb in pairs:
            a, b = states[ja][ra], states[jb][rb]
            if search.dominates(a, b) | search.dominates(b, a):
                decided += 1
        best = min(best, (time.process_time() - start) / (2 * len(pairs)) * 1e6)
    return best, decided / len(pairs)


def measure(name: str, engine: FareEngine, network: Network, timezone: str, quick: bool,
            rnd: random.Random) -> dict[str, float]:
    trips = journeys(network, timezone, QUICK_JOURNEYS if quick else JOURNEYS, rnd)
    fast: FareSearch[object] = fare_search_for(engine)
    prefix: FareSearch[object] = PrefixFareSearch(engine)
    repeats = 3 if quick else REPEATS
    _timed(fast, trips, 1)  # a first pass fills the per-leg caches of both (geometry, places), as in a long-lived
    _timed(prefix, trips, 1)  # planner process
    extend_us, by_position, states = _timed(fast, trips, repeats)
    prefix_extend_us, prefix_by_position, prefix_states = _timed(prefix, trips, repeats)
    for own, reference in zip(states, prefix_states, strict=True):
        for a, b in zip(own, reference, strict=True):
            assert a.paid_minor == b.paid_minor, (name, a, b)  # type: ignore[attr-defined]
    pairs = _pairs(trips, QUICK_PAIRS if quick else PAIRS, rnd)
    dominates_us, decided = _dominance(fast, states, pairs, repeats)
    prefix_dominates_us, prefix_decided = _dominance(prefix, prefix_states, pairs, repeats)
    configurations = [_size(s) for trip in states for s in trip]
    extends = sum(len(t) for t in trips)
    figures = {
        "extend_us": extend_us, "prefix_extend_us": prefix_extend_us,
        "dominates_us": dominates_us, "prefix_dominates_us": prefix_dominates_us,
        **{f"extend_us_ride{n}": us for n, us in enumerate(by_position, start=1)},
        **{f"prefix_extend_us_ride{n}": us for n, us in enumerate(prefix_by_position, start=1)},
        "decided": decided, "prefix_decided": prefix_decided,
        "configurations_mean": sum(configurations) / len(configurations),
    }
    print(f"{name}: {type(fast).__name__}, {len(trips)} journeys, {extends} extends, {len(pairs)} pairs at a stop")
    print(f"  extend     {extend_us:8.1f} us   (prefix re-pricing {prefix_extend_us:8.1f} us, "
          f"x{prefix_extend_us / extend_us:.1f})")
    print("  by ride     " + "  ".join(f"{n}: {us:6.1f} vs {p:6.1f}" for n, (us, p) in
                                         enumerate(zip(by_position, prefix_by_position, strict=True), start=1)))
    print(f"  dominates  {dominates_us:8.2f} us   (prefix {prefix_dominates_us:8.2f} us); pairs decided "
          f"{decided:.1%} (prefix {prefix_decided:.1%}); configurations\n"
          f"  (native v2) / open groups (v1) per state {figures['configurations_mean']:.2f}")
    return {f"{name}_{key}": round(value, 4) for key, value in figures.items()}


def _feeds() -> Path:
    """``shared/data/gtfs`` beside the clone, or beside a folder above it (a worktree in a subfolder)."""
    for folder in ROOT.parents:
        if (folder / "shared" / "data" / "gtfs").is_dir():
            return folder / "shared" / "data" / "gtfs"
    sys.exit("fare_search: no shared/data/gtfs beside the clone or above it (the Porto Alegre feeds)")


def _size(state: object) -> int:
    """How many configurations (native format 2) or open groups (Fares v1) a state keeps; 1 for a zone set."""
    for name in ("entries", "groups"):
        if hasattr(state, name):
            return len(getattr(state, name))
    return 1


@functools.cache
def _poa_network() -> Network:
    from bench.plan_price import load_porto_alegre

    return load_porto_alegre(_feeds())[0]


def _poa() -> tuple[NativeV2Engine, Network, str]:
    network = _poa_network()
    model = load_native_v2(POA_TARIFF.read_text(encoding="utf-8"), POA_TARIFF.name)
    return NativeV2Engine(model, network), network, model.timezone


def _demo() -> tuple[NativeV2Engine, Network, str]:
    from webapp.demo import TARIFF_FILE, demo_routes, demo_stops, demo_walks

    network = Network({s.id: s for s in demo_stops()}, {r.id: r for r in demo_routes()}, tuple(demo_walks()))
    model = load_native_v2(TARIFF_FILE.read_text(encoding="utf-8"), TARIFF_FILE.name)
    return NativeV2Engine(model, network), network, model.timezone


def _demo_zones() -> tuple[FareEngine, Network, str]:
    from webapp.demo import DATA, demo_routes, demo_stops, demo_walks

    network = Network({s.id: s for s in demo_stops()}, {r.id: r for r in demo_routes()}, tuple(demo_walks()))
    tariff = ZoneTariff.from_package(json.loads((DATA / "tariff.json").read_text(encoding="utf-8")))
    return ZoneTariffEngine(tariff, network), network, "Europe/Berlin"


def _eptc_v1() -> tuple[FareEngine, Network, str]:
    """The EPTC feed's own Fares v1 (one flat fare, no transfers) on the EPTC buses of the merged network."""
    feed = _feeds() / "poa_eptc.zip"
    problems = Problems()
    raw = read_feed(feed, only=("agency.txt", "stops.txt", "routes.txt", "fare_attributes.txt", "fare_rules.txt"),
                    problems=problems)
    basics = load_basics(raw, problems)
    merged = _poa_network()
    network = Network(merged.stops, {rid: r for rid, r in merged.routes.items() if rid in basics.routes})
    engine, _ = engine_from_raw(raw, basics, network, problems)
    problems.raise_if_any(feed.name)
    assert engine is not None
    return engine, network, "America/Sao_Paulo"


TARIFFS: dict[str, Callable[[], tuple[FareEngine, Network, str]]] = {
    "poa_v2": _poa, "demo_v2": _demo, "demo_zones_v1": _demo_zones, "eptc_gtfs_v1": _eptc_v1,
}


def main(quick: bool = False, seed: int = 12) -> None:
    rnd = random.Random(seed)
    figures: dict[str, object] = {"bench": "fare_search", "quick": quick}
    for name, load in TARIFFS.items():
        engine, network, timezone = load()
        gc.collect()
        gc.freeze()  # the network and tariff live as long as the process: keep them out of every collection
        figures.update(measure(name, engine, network, timezone, quick, rnd))
    print(json.dumps(figures))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
