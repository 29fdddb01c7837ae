"""End-of-day rating and charging of pay-as-you-go accounts on PostgreSQL, in process and over Celery workers.

Set-up (not timed): the demo tariff (caps 9.00/day, 36.00/week for adults),
N accounts (3 in 5 adults, children, seniors; sandbox card ``tok_ok``), 4
taps each on one service day (two rides over the demo network, one in twenty
without its tap-out), copied into ``payg_taps``.

Timed, each run on the same taps with the day's charges and events deleted
before it:
* in process: ``payg.services.charge_day`` (read taps in chunks of 2,000
  accounts, rebuild journeys, price, cap, capture with the sandbox card, write
  charges and ``PaygDayCharged`` outbox rows with one multi-row ``INSERT``
  per chunk);
* over RabbitMQ: the day cut into 8 shards (``farebridge payg charge --shards
  8``), taken by 1, 2 and 4 ``farebridge payg worker`` processes (own queue
  ``farebridge.bench.payg.<pid>``, deleted at the end); the clock runs from
  queueing the shards until every account has its charge.

``python -m bench.payg_rating [--accounts 100000] [--workers 1,2,4] [--shards 8] [--quick]`` (quick: 1,000
accounts, 1 worker process, 2 shards). The JSON line lists the Celery runs under ``celery``, one object per
worker count, so a quick run has the same keys.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kombu import Connection
from sqlalchemy import text

from bench.payg_setup import (
    BROKER_URL,
    TAP_COLUMNS,
    copy_rows,
    create_accounts,
    day_taps,
    demo_runtime,
    recreate_database,
    tap_rows,
)
from bench.processes import stop_processes

ROOT = Path(__file__).resolve().parents[1]
ACCOUNTS = 100_000
WORKERS = (1, 2, 4)
SHARDS = 8


def count(runtime: Any, sql: str) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def clear_charges(runtime: Any) -> None:
    with runtime.engine.begin() as conn:
        conn.execute(text("TRUNCATE payg_charges, outbox_events"))


@contextmanager
def workers(count_: int, env: dict[str, str], logs: Path):  # type: ignore[no-untyped-def]
    started = [subprocess.Popen([sys.executable, "-m", "webapp.cli", "payg", "worker"], env=env, cwd=ROOT,
                                stdout=(logs / f"worker-{count_}-{n}.log").open("w"), stderr=subprocess.STDOUT)
               for n in range(count_)]
    try:
        time.sleep(4)  # let them connect before the clock starts
        yield
    finally:
        stop_processes(started, timeout=30)


def celery_run(runtime: Any, env: dict[str, str], day: str, shards: int, expected: int, timeout: float) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "webapp.cli", "payg", "charge", "--date", day, "--shards", str(shards)],
                   env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
    while count(runtime, "SELECT count(*) FROM payg_charges") < expected:
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"timed out: {count(runtime, 'SELECT count(*) FROM payg_charges')} of {expected}")
        time.sleep(0.25)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.payg_rating")
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--workers", default=",".join(map(str, WORKERS)), help="comma separated ('' for none)")
    parser.add_argument("--shards", type=int, default=SHARDS)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--quick", action="store_true", help="1,000 accounts, 1 worker, 2 shards: the same figures")
    args = parser.parse_args(argv or [])  # python -m bench passes none (the defaults) or --quick
    if args.quick:
        args.accounts, args.workers, args.shards, args.timeout = 1_000, "1", 2, 300
    from payg.services import charge_day
    from ticketing.payment_providers import SandboxCardProvider

    queue = f"farebridge.bench.payg.{os.getpid()}"
    day = (datetime.now(UTC) - timedelta(days=1)).date()
    results: list[tuple[str, float]] = []
    celery: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as instance:
        runtime = demo_runtime(instance)
        try:
            accounts = create_accounts(runtime.engine, args.accounts)
            taps = day_taps(accounts, day)
            copy_rows(runtime.engine, "payg_taps", TAP_COLUMNS, tap_rows(taps, 4 * 3600 + 30 * 60, datetime.now(UTC)))
            print(f"{args.accounts:,} accounts, {len(taps):,} taps on {day}; PostgreSQL")

            started = time.perf_counter()
            run = charge_day(runtime.uow(), day, SandboxCardProvider(), runtime.settings, datetime.now(UTC))
            in_process = time.perf_counter() - started
            results.append(("in process (1 Python process, no broker)", in_process))
            collected = run.collected_minor
            capped = count(runtime, "SELECT count(*) FROM payg_charges WHERE day_total_minor < uncapped_minor")

            env = {**os.environ, "FAREBRIDGE_DATABASE_URL": runtime.settings.database_url,
                   "FAREBRIDGE_BROKER_URL": BROKER_URL, "FAREBRIDGE_PAYG_QUEUE": queue,
                   "FAREBRIDGE_INSTANCE_DIR": instance, "PYTHONPATH": str(ROOT)}
            logs = Path(instance) / "logs"
            logs.mkdir()
            for n in [int(w) for w in args.workers.split(",") if w]:
                clear_charges(runtime)
                with workers(n, env, logs):
                    seconds = celery_run(runtime, env, day.isoformat(), args.shards, run.accounts, args.timeout)
                total = count(runtime, "SELECT coalesce(sum(amount_minor), 0) FROM payg_charges")
                if total != collected:
                    raise SystemExit(f"{n} worker(s) collected {total}, in process {collected}")
                results.append((f"{n} Celery worker process(es), {args.shards} shards", seconds))
                celery.append({"workers": n, "shards": args.shards, "seconds": round(seconds, 2),
                               "accounts_per_s": round(run.accounts / seconds)})
        finally:
            runtime.engine.dispose()
            recreate_database(drop_only=True)
            with Connection(BROKER_URL) as connection:
                channel = connection.channel()
                channel.queue_delete(queue)
                channel.exchange_delete(queue)

    print(f"charged {run.accounts:,} accounts, {collected / 100:,.2f} EUR; {capped:,} days lowered by a cap")
    base = results[0][1]
    for label, seconds in results:
        print(f"  {label:48s} {seconds:7.1f} s  {run.accounts / seconds:8,.0f} accounts/s  x{base / seconds:.2f}")
    print(json.dumps({"bench": "payg_rating", "quick": args.quick, "accounts": run.accounts, "taps": len(taps),
                      "collected_minor": collected, "capped_days": capped, "in_process_s": round(in_process, 2),
                      "in_process_accounts_per_s": round(run.accounts / in_process), "celery": celery}))


if __name__ == "__main__":
    main(sys.argv[1:])
