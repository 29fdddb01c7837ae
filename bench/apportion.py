"""Apportionment throughput: sales split per second in-process for each rule, against the same
number of plain integer divisions (one per operator share) in the same run. Also the default rule
rounded with carried sub-cent remainders (``clearing.carry.round_with_carry``, without the database).

``python -m bench.apportion [--quick]`` (quick: 10,000 sales instead of 100,000, the same figures)."""
from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from fractions import Fraction

from clearing.apportionment import (
    FIXED_SHARES,
    PASSENGER_KM,
    PER_LEG_FIXED_FEES,
    STANDALONE_FARES,
    ZONES_TRAVELLED,
    Deduction,
    Rule,
    SaleLeg,
    apportion,
    entitle,
    fixed_shares_bp,
)
from clearing.carry import round_with_carry

SALES, QUICK_SALES = 100_000, 10_000
OPERATORS = ("BVB", "RBA", "SWA", "TAL", "VGF")

RULES: dict[str, Rule] = {
    STANDALONE_FARES: Rule(),
    PASSENGER_KM: Rule(PASSENGER_KM),
    ZONES_TRAVELLED: Rule(ZONES_TRAVELLED),
    FIXED_SHARES: Rule(FIXED_SHARES, shares=fixed_shares_bp({"RBA": 5_000, "SWA": 3_000, "TAL": 2_000})),
    PER_LEG_FIXED_FEES: Rule(PER_LEG_FIXED_FEES, fees=(("RBA", 30), ("SWA", 20))),
    "standalone + commission + fee": Rule(commission=Deduction(Fraction(3, 100)),
                                          clearing_fee=Deduction(Fraction(1, 200), 2)),
}
BASELINE = "plain integer divisions (baseline)"
WITH_CARRY = "standalone, rounded with carry"
# the JSON key of each row: ``<key>_sales_per_s`` (stable, whatever the rules' display names become)
KEYS = {BASELINE: "baseline", STANDALONE_FARES: "standalone_fares", PASSENGER_KM: "passenger_km",
        ZONES_TRAVELLED: "zones_travelled", FIXED_SHARES: "fixed_shares", PER_LEG_FIXED_FEES: "per_leg_fixed_fees",
        "standalone + commission + fee": "standalone_commission_fee", WITH_CARRY: "standalone_with_carry"}

Sale = tuple[int, list[SaleLeg]]


def sales(rnd: random.Random, count: int = SALES) -> list[Sale]:
    out = []
    for _ in range(count):
        legs = [SaleLeg(rnd.choice(OPERATORS), rnd.randint(100, 900), rnd.randint(500, 40_000), rnd.randint(1, 4))
                for _ in range(rnd.randint(1, 3))]
        out.append((rnd.randint(100, 2_000), legs))
    return out


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def baseline(data: list[Sale]) -> float:
    """The floor: one integer multiplication and division per leg, nothing else."""
    def run() -> None:
        for amount, legs in data:
            total = 0
            for leg in legs:
                total += leg.standalone_minor
            for leg in legs:
                _ = amount * leg.standalone_minor // total
    return timed(run)


def split_all(data: list[Sale], rule: Rule) -> float:
    def run() -> None:
        for amount, legs in data:
            apportion(amount, legs, rule)
    return timed(run)


def with_carry(data: list[Sale]) -> float:
    def run() -> None:
        carries: dict[str, int] = {}
        rule = RULES[STANDALONE_FARES]
        for amount, legs in data:
            carried = round_with_carry(entitle(amount, legs, rule), carries)
            carries.update(carried.carries)
    return timed(run)


def main(quick: bool = False) -> None:
    count = QUICK_SALES if quick else SALES
    data = sales(random.Random(7), count)
    rows: list[tuple[str, float]] = [(BASELINE, baseline(data))]
    for name, rule in RULES.items():
        rows.append((name, split_all(data, rule)))
    rows.append((WITH_CARRY, with_carry(data)))
    base = rows[0][1]
    print(f"{count:,} sales of 1-3 legs among {len(OPERATORS)} operators, one core, in-process")
    print(f"{'rule':<36} {'seconds':>8} {'sales/s':>12} {'x baseline':>11}")
    for name, seconds in rows:
        print(f"{name:<36} {seconds:>8.3f} {count / seconds:>12,.0f} {seconds / base:>11.1f}")
    figures: dict[str, object] = {"bench": "apportion", "quick": quick, "sales": count}
    for name, seconds in rows:
        figures[f"{KEYS[name]}_sales_per_s"] = round(count / seconds)
    figures["standalone_fares_x_baseline"] = round(dict(rows)[STANDALONE_FARES] / base, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
