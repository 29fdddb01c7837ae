"""Run every benchmark: ``python -m bench [NAME ...]``."""
from __future__ import annotations

import inspect
import sys

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

BENCHMARKS = {"thin_path": thin_path.main, "plan_price": plan_price.main, "price_throughput": price_throughput.main,
              "purchases_http": purchases_http.main, "apportion": apportion.main,
              "clearing_throughput": clearing_throughput.main, "pages": pages.main,
              "booking_pages": booking_pages.main, "taps_ingest": taps_ingest.main,
              "payg_rating": payg_rating.main, "fare_search": fare_search.main,
              "timetable_store": timetable_store.main}


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    argv = [a for a in argv if a != "--quick"]
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    for name in names:
        print(f"== {name}")
        run = BENCHMARKS[name]
        if quick and "quick" in inspect.signature(run).parameters:
            run(quick=True)  # type: ignore[call-arg]
        else:
            run()


if __name__ == "__main__":
    main(sys.argv[1:])
