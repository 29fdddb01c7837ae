"""Apportionment throughput: sales split per second in-process for each rule, against the same
number of plain integer divisions (one per operator share) in the same run. Also the default rule
rounded with carried sub-cent remainders (``clearing.carry.round_with_carry``, without the database)."""
from __future__ import annotations

import random
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

SALES = 100_000
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

Sale = tuple[int, list[SaleLeg]]


def sales(rnd: random.Random) -> list[Sale]:
    out = []
    for _ in range(SALES):
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


def main() -> None:
    data = sales(random.Random(7))
    rows: list[tuple[str, float]] = [("plain integer divisions (baseline)", baseline(data))]
    for name, rule in RULES.items():
        rows.append((name, split_all(data, rule)))
    rows.append(("standalone, rounded with carry", with_carry(data)))
    base = rows[0][1]
    print(f"{SALES:,} sales of 1-3 legs among {len(OPERATORS)} operators, one core, in-process")
    print(f"{'rule':<36} {'seconds':>8} {'sales/s':>12} {'x baseline':>11}")
    for name, seconds in rows:
        print(f"{name:<36} {seconds:>8.3f} {SALES / seconds:>12,.0f} {seconds / base:>11.1f}")


if __name__ == "__main__":
    main()
