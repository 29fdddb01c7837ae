"""Tap ingestion throughput into PostgreSQL through the batch API, against a raw ``COPY`` of the same rows.

The API path is the real one in process: the Flask app's WSGI test client
(no network, no HTTP server) posts ``{"taps": [...]}`` batches to
``POST /api/v1/taps`` with an operator's token; each batch is parsed, every
tap checked (fields, route, stop on the route, late window, account), and
stored with ``INSERT ... ON CONFLICT DO NOTHING`` in one transaction. Request
bodies are serialised before the clock starts (a validator sends bytes).

In the same run: the baseline ``COPY`` of the same rows into a copy of the
table, then a replay of every batch (all duplicates: nothing stored).

``python -m bench.taps_ingest [--taps 200000] [--batch 5000] [--quick]`` (quick: 10,000 taps in batches of 1,000)
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bench.payg_setup import (
    TAP_COLUMNS,
    buffer_json,
    copy_rows,
    create_accounts,
    day_taps,
    demo_runtime,
    recreate_database,
    tap_rows,
)

TAPS = 200_000
BATCH = 5_000
TARGET_PER_S = 10_000


def post_batches(client, bodies: list[bytes]) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
    headers = {"Authorization": "Bearer demo-operator-rba", "Content-Type": "application/json"}
    accepted = duplicates = 0
    started = time.perf_counter()
    for body in bodies:
        response = client.post("/api/v1/taps", data=body, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"POST /taps answered {response.status_code}: {response.get_data(as_text=True)[:500]}")
        accepted += response.json["accepted"]
        duplicates += response.json["duplicates"]
        if response.json["rejected"]:
            raise SystemExit(f"taps refused: {response.json['rejected'][:3]}")
    return time.perf_counter() - started, accepted, duplicates


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.taps_ingest")
    parser.add_argument("--taps", type=int, default=TAPS)
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--quick", action="store_true", help="10,000 taps in batches of 1,000, the same figures")
    args = parser.parse_args(argv or [])  # python -m bench passes none (the defaults) or --quick
    if args.quick:
        args.taps, args.batch = 10_000, 1_000
    from webapp import create_app

    with tempfile.TemporaryDirectory() as instance:
        runtime = demo_runtime(instance)
        try:
            accounts = create_accounts(runtime.engine, max(1, args.taps // 4))
            day = (datetime.now(UTC) - timedelta(days=1)).date()
            taps = day_taps(accounts, day)[: args.taps]
            bodies = [buffer_json({"taps": taps[i : i + args.batch]}) for i in range(0, len(taps), args.batch)]
            client = create_app(runtime=runtime).test_client()

            api_s, accepted, _ = post_batches(client, bodies)
            with runtime.engine.begin() as conn:
                conn.execute(text("CREATE TABLE bench_taps (LIKE payg_taps INCLUDING ALL)"))
            rows = tap_rows(taps, 4 * 3600 + 30 * 60, datetime.now(UTC))
            copy_s = copy_rows(runtime.engine, "bench_taps", TAP_COLUMNS, rows)
            replay_s, replay_accepted, replay_duplicates = post_batches(client, bodies)
            with runtime.engine.connect() as conn:
                stored = conn.execute(text("SELECT count(*) FROM payg_taps")).scalar_one()
        finally:
            runtime.engine.dispose()
            recreate_database(drop_only=True)

    api_rate, copy_rate = accepted / api_s, len(rows) / copy_s
    print(f"taps: {len(taps):,} in {len(bodies)} batches of {args.batch:,}; PostgreSQL; API through the in-process "
          "WSGI client (Flask test client, no HTTP server)")
    print(f"  POST /api/v1/taps   {api_s:7.2f} s  {api_rate:9,.0f} taps/s  (accepted {accepted:,}, stored {stored:,})")
    print(f"  raw COPY, same rows {copy_s:7.2f} s  {copy_rate:9,.0f} taps/s  (baseline: no checks, no duplicates)")
    print(f"  replay of all batches {replay_s:5.2f} s  {replay_duplicates / replay_s:9,.0f} taps/s  "
          f"(accepted {replay_accepted}, duplicates {replay_duplicates:,})")
    print(f"  API / COPY: {api_rate / copy_rate:.2f}; target {TARGET_PER_S:,} taps/s: "
          f"{'met' if api_rate >= TARGET_PER_S else 'NOT met'}")
    print(json.dumps({"bench": "taps_ingest", "quick": args.quick, "taps": len(taps), "batches": len(bodies),
                      "batch_size": args.batch, "accepted": accepted, "stored": stored,
                      "api_s": round(api_s, 3), "api_taps_per_s": round(api_rate),
                      "copy_s": round(copy_s, 3), "copy_taps_per_s": round(copy_rate),
                      "replay_s": round(replay_s, 3), "replay_taps_per_s": round(replay_duplicates / replay_s),
                      "api_copy_ratio": round(api_rate / copy_rate, 3), "target_met": api_rate >= TARGET_PER_S}))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
