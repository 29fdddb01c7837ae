"""Run every benchmark: ``python -m bench [NAME ...] [--quick]``.

Every benchmark is called the same way, so ``--quick`` (reduced sizes, a run
of seconds, the same JSON keys) works for each name: the keyword ones as
``main(quick=True)``, the argparse ones (which also take their own options
when run as ``python -m bench.NAME``) as ``main(["--quick"])``. A full run
calls ``main()`` / ``main([])``. Each benchmark ends with one JSON line
``{"bench": NAME, ...}`` of its figures.
"""
from __future__ import annotations

import sys
from collections.abc import Callable

from bench import (
    apportion,
    booking_pages,
    clearing_throughput,
    fare_search,
    pages,
    payg_rating,
    plan_price,
    price_throughput,
    purchases_http,
    taps_ingest,
    thin_path,
    timetable_store,
)

Runner = Callable[[bool], None]


def _keyword(main: Callable[..., None]) -> Runner:
    def run(quick: bool) -> None:
        if quick:
            main(quick=True)
        else:
            main()
    return run


def _argv(main: Callable[[list[str]], None]) -> Runner:
    def run(quick: bool) -> None:
        main(["--quick"] if quick else [])
    return run


BENCHMARKS: dict[str, Runner] = {
    "thin_path": _keyword(thin_path.main), "plan_price": _keyword(plan_price.main),
    "price_throughput": _keyword(price_throughput.main), "purchases_http": _keyword(purchases_http.main),
    "apportion": _keyword(apportion.main), "clearing_throughput": _argv(clearing_throughput.main),
    "pages": _keyword(pages.main), "booking_pages": _keyword(booking_pages.main),
    "taps_ingest": _argv(taps_ingest.main), "payg_rating": _argv(payg_rating.main),
    "fare_search": _keyword(fare_search.main), "timetable_store": _keyword(timetable_store.main),
}


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    argv = [a for a in argv if a != "--quick"]
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    for name in names:
        print(f"== {name}{' (quick)' if quick else ''}", flush=True)
        BENCHMARKS[name](quick)


if __name__ == "__main__":
    main(sys.argv[1:])
