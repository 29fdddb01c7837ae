"""Pricing throughput: explicit 3-leg itineraries on a large generated GTFS Fares v2 tariff
(90 operators, 1,000 areas in a distance-banded zone matrix, peak timeframes, transfer rules),
against the same number of plain dict look-ups (one per leg) in the same run.

``python -m bench.price_throughput [--quick]`` (quick: 3,000 itineraries instead of 30,000; the same tariff)."""
from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fares.gtfs.fares_v2 import FaresV2Engine, read_fares_v2
from fares.price import ItineraryLeg
from fares.validation import Problems

OPERATORS = 90
AREAS = 1000
ITINERARIES, QUICK_ITINERARIES = 30_000, 3_000
BANDS = 12  # fare products by distance band


def write_feed(folder: Path) -> None:
    def write(name: str, header: str, rows: list[str]) -> None:
        (folder / name).write_text(header + "\n" + "\n".join(rows) + "\n")

    write("agency.txt", "agency_id,agency_name,agency_url,agency_timezone",
          [f"op{o},Operator {o},https://op{o}.example,Europe/Berlin" for o in range(OPERATORS)])
    write("stops.txt", "stop_id,stop_name,stop_lat,stop_lon,location_type",
          [f"s{i},Stop {i},{50 + i / 10_000:.5f},8.0,0" for i in range(AREAS)])
    write("routes.txt", "route_id,agency_id,route_short_name,route_type,network_id",
          [f"r{o}_{k},op{o},{o}-{k},{2 if o % 10 == 0 else 3},{'rail' if o % 10 == 0 else 'bus'}"
           for o in range(OPERATORS) for k in range(2)])
    write("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date",
          ["wk,1,1,1,1,1,0,0,20260101,20271231"])
    write("areas.txt", "area_id", [f"a{i}" for i in range(AREAS)])
    write("stop_areas.txt", "area_id,stop_id", [f"a{i},s{i}" for i in range(AREAS)])
    write("timeframes.txt", "timeframe_group_id,start_time,end_time,service_id",
          ["peak,07:00:00,09:00:00,wk", "peak,16:00:00,18:30:00,wk"])
    write("fare_products.txt", "fare_product_id,fare_product_name,amount,currency",
          [f"band{k},Band {k},{1.5 + k * 0.4:.2f},EUR" for k in range(BANDS)]
          + ["rail_peak,Rail peak,6.00,EUR", "far,Long distance,9.90,EUR", "transfer,Transfer,0.50,EUR"])
    rules = []
    for i in range(AREAS):
        for distance in range(BANDS):
            for j in {(i + distance) % AREAS, (i - distance) % AREAS}:
                rules.append(f"g{distance % 3},,a{i},a{j},,,band{distance},1")
        rules.append(f"peak,rail,a{i},,peak,,rail_peak,2")
    rules.append("far,,,,,,far,0")
    write("fare_leg_rules.txt", "leg_group_id,network_id,from_area_id,to_area_id,from_timeframe_group_id,"
          "to_timeframe_group_id,fare_product_id,rule_priority", rules)
    write("fare_transfer_rules.txt", "from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,"
          "duration_limit_type,fare_transfer_type,fare_product_id",
          ["g0,g1,,5400,1,0,transfer", "g1,g1,2,5400,1,0,", "g2,g0,,3600,0,1,", "far,far,-1,,,0,transfer"])


def itineraries(rnd: random.Random, count: int = ITINERARIES) -> list[list[ItineraryLeg]]:
    tz = ZoneInfo("Europe/Berlin")
    out = []
    for _ in range(count):
        moment = datetime(2026, 3, 2, 6, 0, tzinfo=tz) + timedelta(minutes=rnd.randrange(16 * 60))
        stop = rnd.randrange(AREAS)
        legs = []
        for _ in range(3):
            step = rnd.choice([1, 2, 3, 5, 8, 11, 40])
            route = f"r{rnd.randrange(OPERATORS)}_{rnd.randrange(2)}"
            legs.append(ItineraryLeg(route, f"s{stop}", f"s{(stop + step) % AREAS}", moment,
                                     moment + timedelta(minutes=12)))
            stop = (stop + step) % AREAS
            moment += timedelta(minutes=rnd.choice([15, 20, 45, 100]))
        out.append(legs)
    return out


def main(quick: bool = False) -> None:
    count = QUICK_ITINERARIES if quick else ITINERARIES
    with tempfile.TemporaryDirectory() as tmp:
        write_feed(Path(tmp))
        started = time.perf_counter()
        problems = Problems()
        basics, fares = read_fares_v2(Path(tmp), problems)
        assert not problems and fares is not None, problems.items[:5]
        engine = FaresV2Engine(fares, basics)
        load_s = time.perf_counter() - started
    work = itineraries(random.Random(7), count)
    matrix = {(f"s{i}", f"s{(i + d) % AREAS}"): 150 + 40 * d for i in range(AREAS) for d in range(BANDS)}
    priced = sum(engine.price(legs).total is not None for legs in work[:2000])

    def engine_run() -> float:
        start = time.perf_counter()
        for legs in work:
            engine.price(legs)
        return time.perf_counter() - start

    def dict_run() -> float:
        start = time.perf_counter()
        for legs in work:
            for leg in legs:
                matrix.get((leg.from_stop_id, leg.to_stop_id))
        return time.perf_counter() - start

    engine_s = min(engine_run() for _ in range(3))
    dict_s = min(dict_run() for _ in range(3))
    rules = AREAS * (2 * BANDS) + AREAS + 1
    print(f"tariff: {OPERATORS} operators, {AREAS} areas, ~{rules} fare_leg_rules; loaded in {load_s:.1f} s")
    print(f"{count} distinct 3-leg itineraries, best of 3; {priced}/2000 sampled got a total")
    print(f"{'GTFS Fares v2 engine':<34} {count / engine_s:>10.0f} itineraries/s")
    print(f"{'dict look-ups (3 per itinerary)':<34} {count / dict_s:>10.0f} itineraries/s")
    print(f"ratio engine/dict {dict_s / engine_s:.4f}")
    print(json.dumps({"bench": "price_throughput", "quick": quick, "operators": OPERATORS, "areas": AREAS,
                      "fare_leg_rules": rules, "itineraries": count, "load_s": round(load_s, 2),
                      "sampled_priced": priced, "engine_itineraries_per_s": round(count / engine_s),
                      "dict_itineraries_per_s": round(count / dict_s),
                      "engine_dict_ratio": round(dict_s / engine_s, 4)}))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
