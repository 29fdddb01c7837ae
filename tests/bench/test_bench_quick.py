"""``python -m bench NAME --quick``: every benchmark is dispatched the same way and ends with one JSON line.

The in-process benchmarks (no PostgreSQL, RabbitMQ or gunicorn) are run here
at their reduced size; the figures are not judged (speed is bench/'s job,
not a test's), only that the last line is the JSON of the named benchmark
with its documented keys, the same keys as a full run prints.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import bench.__main__ as bench_main

# The documented keys of the JSON line (docs/benchmarks.md), full run and --quick alike.
KEYS = {
    "apportion": {"bench", "quick", "sales", "baseline_sales_per_s", "standalone_fares_sales_per_s",
                  "passenger_km_sales_per_s", "zones_travelled_sales_per_s", "fixed_shares_sales_per_s",
                  "per_leg_fixed_fees_sales_per_s", "standalone_commission_fee_sales_per_s",
                  "standalone_with_carry_sales_per_s", "standalone_fares_x_baseline"},
    "price_throughput": {"bench", "quick", "operators", "areas", "fare_leg_rules", "itineraries", "load_s",
                         "sampled_priced", "engine_itineraries_per_s", "dict_itineraries_per_s",
                         "engine_dict_ratio"},
    "thin_path": {"bench", "quick", "rounds", "journeys_health_ratio", "purchase_health_ratio"}
    | {f"{what}_{figure}" for what in ("health", "journeys", "purchase") for figure in ("per_s", "p50_ms", "p95_ms")},
    "booking_pages": {"bench", "quick", "rounds", "slowest_page_p95_ms", "slowest_page_x_health", "goal_met"}
    | {f"{what}_{p}_ms" for what in ("health", "book", "checkout", "ticket", "ticket_first_view", "stops_suggest",
                                     "journeys") for p in ("p50", "p95")},
    "pages": {"bench", "quick", "rounds", "pages_measured", "health_p95_ms", "slowest_page", "slowest_page_p95_ms",
              "slowest_page_x_health", "login_p95_ms", "target_met"},
    "timetable_store": {"bench", "quick", "text_bytes", "archive_bytes", "import_activate_s", "check_p50_ms",
                        "load_p50_ms", "zip_read_p50_ms"},
}
NEEDS_FEEDS = {"timetable_store", "fare_search"}  # the real feeds of ../shared/data


def last_json(out: str) -> dict[str, object]:
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(KEYS))
def test_a_quick_run_ends_with_the_json_line_of_its_documented_figures(name, request, capsys):
    if name in NEEDS_FEEDS:
        request.getfixturevalue("shared_gtfs")
    bench_main.main([name, "--quick"])
    figures = last_json(capsys.readouterr().out)
    assert figures["bench"] == name
    assert figures["quick"] is True
    assert set(figures) == KEYS[name]


def test_fare_search_runs_quick_through_the_same_dispatch(shared_gtfs: Path, capsys):
    bench_main.main(["fare_search", "--quick"])
    figures = last_json(capsys.readouterr().out)
    assert (figures["bench"], figures["quick"]) == ("fare_search", True)


def test_quick_reaches_every_benchmark_as_a_keyword_or_as_its_command_line_flag(monkeypatch):
    calls: list[tuple[str, object]] = []
    monkeypatch.setattr(bench_main, "BENCHMARKS", {
        "keyword": bench_main._keyword(lambda **kwargs: calls.append(("keyword", kwargs))),
        "argv": bench_main._argv(lambda argv: calls.append(("argv", argv))),
    })
    bench_main.main(["--quick"])
    bench_main.main(["keyword", "argv"])
    assert calls == [("keyword", {"quick": True}), ("argv", ["--quick"]), ("keyword", {}), ("argv", [])]


def test_every_registered_benchmark_is_a_module_of_bench_with_a_main():
    for name in bench_main.BENCHMARKS:
        module = __import__(f"bench.{name}", fromlist=["main"])
        assert callable(module.main), name


def test_an_unknown_name_exits_with_the_list_of_known_ones():
    with pytest.raises(SystemExit) as exited:
        bench_main.main(["thin_path", "no_such_bench"])
    assert "no_such_bench" in str(exited.value)
    assert all(name in str(exited.value) for name in bench_main.BENCHMARKS)
