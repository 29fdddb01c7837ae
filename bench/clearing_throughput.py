"""Clearing throughput: synthetic SalePaid events cleared end to end on PostgreSQL + RabbitMQ.

The real path: outbox rows (bulk ``COPY``, not the web app) -> the outbox
relay (``clearing.tasks.relay``, run in the benchmark's process once every
worker consumes, so that no interpreter start is timed) -> RabbitMQ (own
queue ``farebridge.bench.<pid>``) -> ``farebridge worker`` processes ->
clearing records, shares, carries and hash-chained ledger transactions.
Everything lives in one schema (``--schema``, default ``clearing_bench``) of
the database given by ``--database-url`` (created when missing): the schema
is recreated per run and dropped at the end, so a shared database's other
schemas are left alone; the queue, its ``.dead`` queue and
the exchanges are deleted at the end.

In the same run: the baseline (a raw ``COPY`` of as many ledger rows as the
sales produced into a scratch table), scaling with 1, 2 and 4 worker
processes, a settlement of the period for all operators, an in-process
profile of one event (SQL statements, commits, time the chain head is held),
and the checks: every sale cleared exactly once, the ledger sums to zero,
``verify_ledger`` is ok.

``python -m bench.clearing_throughput [--sales 100000] [--real-sales 20000] [--scaling-sales 5000]
[--workers 1,2,4] [--engines celery,batches] [--worker-args '--batch-size 200'] [--database-url URL]
[--schema NAME] [--quick]``

Scaling runs are made for each engine: ``celery`` (``farebridge worker
--celery``: one event per transaction, as before batch clearing) and
``batches`` (``farebridge worker``: the batch worker), so before and after
are measured in the same run.

Defaults are smaller than 1,000,000 because, on this 2-core machine, the real
path clears tens of sales a second per worker (1,000,000 would take hours) and
the bulk path (``clearing.bulk``) takes 8-50 minutes for 1,000,000 depending
on what else runs (docs/benchmarks.md).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, select, text

from bench.processes import stop_processes

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/farebridge_clearing_bench"
SCHEMA = "clearing_bench"  # everything the benchmark writes lives in this schema of the database
BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
SALES = 20_000  # 1,000,000 through the real path takes hours on 2 cores: see the report it prints
BULK_SALES = 100_000  # 1,000,000: pass --sales 1000000 (docs/benchmarks.md)
BULK_BATCH = 2_000
SCALING_SALES = 5_000
SCALING_WORKERS = (1, 2, 4)
PERIOD = "2026-10"
CURRENCY = "EUR"
OPERATORS = ("BENCH_BUS", "BENCH_FERRY", "BENCH_RAIL", "BENCH_TRAM")
PROFILE_EVENTS = 300


# -- synthetic sales ---------------------------------------------------------------------------------------------

def synthetic_payload(rng: random.Random, index: int, paid_at: datetime) -> dict[str, Any]:
    """A SalePaid payload (docs/events.md) with 1-3 legs and one of the apportionment rules."""
    legs = [{"operator_id": rng.choice(OPERATORS), "route_id": f"R{rng.randint(1, 40)}",
             "standalone_minor": rng.randint(120, 900), "distance_m": rng.randint(800, 40_000),
             "zones": rng.randint(1, 4)} for _ in range(rng.randint(1, 3))]
    amount = max(100, sum(leg["standalone_minor"] for leg in legs) - rng.randint(0, 150))
    kind = index % 4
    apportionment: dict[str, Any] | None = None
    if kind == 1:
        apportionment = {"method": "passenger_km", "commission": {"channel": "app", "rate": "1/50"},
                         "clearing_fee": {"rate": "1/200", "fixed_minor": 1}}
    elif kind == 2:
        apportionment = {"method": "zones_travelled", "clearing_fee": {"rate": "1/100"}}
    elif kind == 3:
        apportionment = {"method": "fixed_shares",
                         "shares": {"BENCH_BUS": "1/4", "BENCH_RAIL": "1/2", "BENCH_TRAM": "1/4"}}
    sale_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    payload: dict[str, Any] = {
        "sale_id": sale_id, "payment_id": f"pay-{index}", "ticket_id": f"tkt-{index}", "amount_minor": amount,
        "currency": CURRENCY, "payment_method": "wallet" if index % 10 == 0 else "card",
        "paid_at": paid_at.isoformat(), "tariff_version_id": 1, "rider_category": "adult", "legs": legs,
    }
    if apportionment:
        payload["apportionment"] = apportionment
    return payload


def copy_sale_events(engine: Engine, count: int, seed: int = 7) -> float:
    """``COPY`` ``count`` pending SalePaid outbox rows; seconds taken."""
    rng = random.Random(seed)
    start_at = datetime(2026, 10, 1, tzinfo=UTC)
    step = timedelta(days=30) / max(count, 1)
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy("COPY outbox_events (id, type, payload, created_at, publish_attempts) FROM STDIN") as copy:
            for i in range(count):
                at = start_at + step * i
                copy.write_row((str(uuid.UUID(int=rng.getrandbits(128), version=4)), "SalePaid",
                                json.dumps(synthetic_payload(rng, i, at)), at, 0))
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - started


# -- database, broker, processes ---------------------------------------------------------------------------------

def scoped(database_url: str) -> str:
    """The database URL with ``search_path`` set to the benchmark's own schema (for every process it starts)."""
    return f"{database_url}?options=-csearch_path%3D{SCHEMA}"


def reset_schema(database_url: str, drop_only: bool = False) -> None:
    """An empty ``SCHEMA`` in the database (created when missing), so a shared database's other schemas stay."""
    url = make_url(database_url)
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        if not drop_only and not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                              {"name": url.database}).first():
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        if not drop_only:
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()


def prepare_schema(engine: Engine) -> None:
    """Schema from the models (a scratch database) and the bench operators."""
    from migrations.metadata import all_metadata

    all_metadata().create_all(engine)
    with engine.begin() as conn:
        for op in OPERATORS:
            conn.execute(text("INSERT INTO operators (id, name, mode, vat_rate_bp, created_at) "
                              "VALUES (:id, :name, 'bus', 700, now())"), {"id": op, "name": op.title()})


def delete_queues(broker_url: str, queue: str) -> None:
    from kombu import Connection

    with Connection(broker_url) as connection:
        channel = connection.channel()
        for name in (queue, f"{queue}.dead"):
            try:
                channel.queue_delete(name)
            except Exception as error:  # already gone: nothing to clean
                print(f"(queue {name}: {error})", file=sys.stderr)
                channel = connection.channel()
        for name in (queue, f"{queue}.dead-letter"):
            try:
                channel.exchange_delete(name)
            except Exception as error:
                print(f"(exchange {name}: {error})", file=sys.stderr)
                channel = connection.channel()


@contextmanager
def processes(commands: list[list[str]], env: dict[str, str], log_dir: Path, label: str) -> Iterator[None]:
    """``python -m webapp.cli ...`` processes until the block ends (SIGTERM: Celery's warm shutdown)."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        for n, command in enumerate(commands):
            log = (log_dir / f"{label}-{n}.log").open("w")
            started.append(subprocess.Popen([sys.executable, "-m", "webapp.cli", *command], env=env, cwd=ROOT,
                                            stdout=log, stderr=subprocess.STDOUT))
        yield
    finally:
        stop_processes(started, timeout=30)


def scalar(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar() or 0)


# -- one run -----------------------------------------------------------------------------------------------------

@dataclass
class Run:
    label: str
    sales: int
    workers: int
    engine: str = "batches"  # or "celery"
    copy_s: float = 0.0
    relay_s: float = 0.0
    clear_s: float = 0.0
    lock_wait_share: float = 0.0  # share of samples with a backend waiting on a lock
    ledger_rows: int = 0
    baseline_copy_s: float = 0.0
    settle_s: float = 0.0
    settled_operators: int = 0
    settle_error: str | None = None
    checks: dict[str, Any] | None = None

    @property
    def rate(self) -> float:
        return self.sales / self.clear_s if self.clear_s else 0.0


def clear_through_broker(run: Run, database_url: str, broker_url: str, log_dir: Path, timeout_s: float,
                         worker_args: list[str]) -> None:
    """Outbox rows -> relay -> RabbitMQ -> ``run.workers`` worker processes, until every sale is cleared."""
    reset_schema(database_url)
    database_url = scoped(database_url)
    engine = create_engine(database_url)
    prepare_schema(engine)
    run.copy_s = copy_sale_events(engine, run.sales)
    queue = f"farebridge.bench.{os.getpid()}"
    env = {**os.environ, "FAREBRIDGE_DATABASE_URL": database_url, "FAREBRIDGE_BROKER_URL": broker_url,
           "FAREBRIDGE_CLEARING_QUEUE": queue, "FAREBRIDGE_INSTANCE_DIR": str(log_dir)}
    if run.engine == "celery":  # the Celery worker of before: one event per transaction
        workers = [["worker", "--no-beat", "--celery", "--concurrency", "1", "--loglevel", "WARNING", *worker_args]
                   for _n in range(run.workers)]
    else:  # the batch worker (clearing/batch_worker.py)
        workers = [["worker", "--no-beat", *worker_args] for _n in range(run.workers)]
    samples = waiting = 0
    try:
        with processes(workers, env, log_dir, f"worker-{run.label}"):
            wait_for_consumers(broker_url, queue, run.workers, timeout_s)
            # Every worker consumes: the outbox relay (clearing.tasks.relay, in this process so that no
            # interpreter start is timed) publishes a batch per AMQP transaction while the workers clear.
            relay = relay_in_process(database_url, broker_url, queue, log_dir)
            started = time.perf_counter()
            while scalar(engine, "SELECT count(*) FROM outbox_events WHERE published_at IS NULL"):
                if not relay():  # the broker refused a batch (it says why): the next call publishes it again
                    time.sleep(0.1)
                if time.perf_counter() - started > timeout_s:
                    raise RuntimeError(f"{run.label}: the relay did not publish everything in {timeout_s:.0f} s")
            run.relay_s = time.perf_counter() - started
            while True:
                cleared = scalar(engine, "SELECT count(*) FROM clearing_records")
                samples += 1
                waiting += scalar(engine, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                  " AND datname = current_database()") > 0
                if cleared >= run.sales:
                    run.clear_s = time.perf_counter() - started
                    break
                if time.perf_counter() - started > timeout_s:
                    raise RuntimeError(f"{run.label}: {cleared} of {run.sales} cleared after {timeout_s:.0f} s "
                                       f"(logs in {log_dir})")
                time.sleep(0.1)
    finally:
        delete_queues(broker_url, queue)
    run.lock_wait_share = waiting / samples if samples else 0.0
    run.ledger_rows = scalar(engine, "SELECT count(*) FROM ledger_entries")
    engine.dispose()


def wait_for_consumers(broker_url: str, queue: str, count: int, timeout_s: float) -> None:
    """Until ``count`` workers consume the queue (RabbitMQ counts them), so that none starts late."""
    from kombu import Connection

    deadline = time.perf_counter() + timeout_s
    with Connection(broker_url) as connection:
        while time.perf_counter() < deadline:
            try:
                if connection.channel().queue_declare(queue, passive=True).consumer_count >= count:
                    return
            except connection.channel_errors:  # not declared yet: the workers are starting
                pass
            time.sleep(0.2)
    raise RuntimeError(f"{count} worker(s) did not start consuming {queue}")


def relay_in_process(database_url: str, broker_url: str, queue: str, log_dir: Path) -> Any:
    """``clearing.tasks.relay`` against the bench schema: returns how many it published per call."""
    from clearing.tasks import relay
    from clearing.worker import configure
    from core.config import Settings
    from core.runtime import Runtime, set_runtime

    settings = Settings.from_env({"FAREBRIDGE_DATABASE_URL": database_url, "FAREBRIDGE_BROKER_URL": broker_url,
                                  "FAREBRIDGE_CLEARING_QUEUE": queue, "FAREBRIDGE_INSTANCE_DIR": str(log_dir)})
    runtime = Runtime.from_settings(settings)
    set_runtime(runtime)
    configure(settings)
    return lambda: relay(runtime.session_factory)


def clear_in_bulk(run: Run, database_url: str, log_dir: Path, batch: int) -> None:
    """The same outbox rows cleared by ``clearing.bulk.clear_batch`` in one process, ``batch`` events a transaction.

    The outbox rows are read in creation order and marked published in the batch's transaction (no broker).
    """
    from sqlalchemy import tuple_, update

    from clearing.bulk import clear_sales
    from core.config import Settings
    from core.outbox import OutboxEvent
    from core.runtime import Runtime

    reset_schema(database_url)
    runtime = Runtime.from_settings(Settings.from_env({"FAREBRIDGE_DATABASE_URL": scoped(database_url),
                                                       "FAREBRIDGE_INSTANCE_DIR": str(log_dir)}))
    prepare_schema(runtime.engine)
    run.copy_s = copy_sale_events(runtime.engine, run.sales)
    started = time.perf_counter()
    after: tuple[Any, ...] | None = None
    while True:
        with runtime.session_factory() as session:
            query = select(OutboxEvent.id, OutboxEvent.type, OutboxEvent.payload, OutboxEvent.created_at) \
                .where(OutboxEvent.published_at.is_(None)).order_by(OutboxEvent.created_at, OutboxEvent.id) \
                .limit(batch)
            if after is not None:
                query = query.where(tuple_(OutboxEvent.created_at, OutboxEvent.id) > after)
            rows = session.execute(query).all()
            if not rows:
                break
            messages = [{"id": i, "type": t, "payload": p, "created_at": c.isoformat()} for i, t, p, c in rows]
            clear_sales(session, messages)
            session.execute(update(OutboxEvent).where(OutboxEvent.id.in_([m["id"] for m in messages]))
                            .values(published_at=datetime.now(UTC)).execution_options(synchronize_session=False))
            session.commit()
            after = (rows[-1].created_at, rows[-1].id)
    run.clear_s = time.perf_counter() - started
    run.ledger_rows = scalar(runtime.engine, "SELECT count(*) FROM ledger_entries")
    runtime.engine.dispose()


def baseline_copy(database_url: str) -> float:
    """Seconds for a raw ``COPY`` of the ledger entries the sales produced into a scratch table."""
    engine = create_engine(scoped(database_url))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        buffer = io.BytesIO()
        with cursor.copy("COPY (SELECT transaction_id, account_id, amount_minor, currency FROM ledger_entries) "
                         "TO STDOUT") as copy:
            for chunk in copy:
                buffer.write(chunk)
        cursor.execute("CREATE TABLE bench_scratch_entries (id serial PRIMARY KEY, transaction_id integer NOT NULL, "
                       "account_id integer NOT NULL, amount_minor integer NOT NULL, currency varchar(3) NOT NULL)")
        raw.commit()
        started = time.perf_counter()
        with cursor.copy("COPY bench_scratch_entries (transaction_id, account_id, amount_minor, currency) "
                         "FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        raw.commit()
        took = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_scratch_entries")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return took


def settle_and_check(run: Run, database_url: str, log_dir: Path) -> None:
    from clearing.ledger import ledger_total
    from clearing.ledger_chain import verify_ledger
    from clearing.settlement import settle_period
    from core.config import Settings
    from core.runtime import Runtime

    runtime = Runtime.from_settings(Settings.from_env({"FAREBRIDGE_DATABASE_URL": scoped(database_url),
                                                       "FAREBRIDGE_INSTANCE_DIR": str(log_dir)}))
    engine = runtime.engine
    started = time.perf_counter()
    try:
        run.settled_operators = len(settle_period(runtime.uow(), PERIOD, None, CURRENCY, datetime.now(UTC)))
    except Exception as error:  # reported, not hidden: the checks then fail
        run.settle_error = f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"
    run.settle_s = time.perf_counter() - started
    with runtime.session_factory() as session:
        verification = verify_ledger(session)
        total = ledger_total(session)
    run.checks = {
        "outbox events": scalar(engine, "SELECT count(*) FROM outbox_events"),
        "records": scalar(engine, "SELECT count(*) FROM clearing_records WHERE event_type = 'SalePaid'"),
        "events cleared exactly once": scalar(engine, "SELECT count(*) FROM outbox_events o WHERE "
                                              "(SELECT count(*) FROM clearing_records r WHERE r.event_id = o.id) = 1"),
        "transactions": scalar(engine, "SELECT count(*) FROM ledger_transactions"),
        "unsettled shares": scalar(engine, "SELECT count(*) FROM clearing_shares WHERE settlement_id IS NULL"),
        "settled total = operator shares": scalar(engine, "SELECT coalesce(sum(total_minor), 0) FROM settlements")
        == scalar(engine, "SELECT coalesce(sum(amount_minor), 0) FROM clearing_shares"),
        "carries sum to 0": scalar(engine, "SELECT coalesce(sum(carry_units), 0) FROM clearing_carries") == 0,
        "ledger total": total,
        "verify_ledger": "ok" if verification.ok else verification.reason,
        "dead letters": scalar(engine, "SELECT count(*) FROM dead_letters"),
    }
    engine.dispose()


def checks_pass(run: Run) -> bool:
    c = run.checks or {}
    cleared_once = c.get("records") == c.get("transactions") == c.get("events cleared exactly once") == run.sales
    return run.settle_error is None and (cleared_once
            and c.get("ledger total") == 0 and c.get("verify_ledger") == "ok" and c.get("unsettled shares") == 0
            and c.get("settled total = operator shares") is True and c.get("carries sum to 0") is True
            and c.get("dead letters") == 0)


# -- where the time goes ------------------------------------------------------------------------------------------

def profile_one_by_one(database_url: str, log_dir: Path, events: int = PROFILE_EVENTS) -> dict[str, float]:
    """``clearing.services.clear_event`` in-process (no broker): per event, statements, commits, head lock held."""
    import clearing.ledger as ledger
    from clearing import services
    from core.config import Settings
    from core.outbox import OutboxEvent
    from core.runtime import Runtime

    reset_schema(database_url)
    runtime = Runtime.from_settings(Settings.from_env({"FAREBRIDGE_DATABASE_URL": scoped(database_url),
                                                       "FAREBRIDGE_INSTANCE_DIR": str(log_dir)}))
    prepare_schema(runtime.engine)
    copy_sale_events(runtime.engine, events, seed=11)
    with runtime.session_factory() as session:
        messages = [e.message() for e in session.query(OutboxEvent).order_by(OutboxEvent.created_at)]
    counts = {"statements": 0, "commits": 0}
    sealed_at: list[float] = []
    held: list[float] = []

    def count_statement(*_args: Any) -> None:
        counts["statements"] += 1

    def count_commit(*_args: Any) -> None:
        counts["commits"] += 1
        if sealed_at:
            held.append(time.perf_counter() - sealed_at.pop())

    original_seal = ledger.seal

    def timed_seal(*args: Any, **kwargs: Any) -> tuple[int, str]:
        sealed_at.append(time.perf_counter())
        return original_seal(*args, **kwargs)

    event.listen(runtime.engine, "before_cursor_execute", count_statement)
    event.listen(runtime.engine, "commit", count_commit)
    ledger.seal = timed_seal  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        for message in messages:
            services.clear_event(runtime.uow(), message)
        took = time.perf_counter() - started
    finally:
        ledger.seal = original_seal  # type: ignore[assignment]
        event.remove(runtime.engine, "before_cursor_execute", count_statement)
        event.remove(runtime.engine, "commit", count_commit)
        runtime.engine.dispose()
    return {"events": events, "ms per event": took / events * 1000,
            "statements per event": counts["statements"] / events, "commits per event": counts["commits"] / events,
            "head lock held ms": sum(held) / len(held) * 1000 if held else 0.0}


# -- the table ----------------------------------------------------------------------------------------------------

def _baseline_line(run: Run) -> str:
    copy_rate = run.ledger_rows / run.baseline_copy_s if run.baseline_copy_s else 0.0
    rows_per_s = run.ledger_rows / run.clear_s if run.clear_s else 0.0
    return (f"baseline ({run.label}): raw COPY of {run.ledger_rows:,} ledger rows into a scratch table "
            f"{run.baseline_copy_s:.2f} s ({copy_rate:,.0f} rows/s); clearing wrote {rows_per_s:,.0f} ledger rows/s: "
            f"ratio clearing/COPY {rows_per_s / copy_rate if copy_rate else 0:.4f}")


def print_report(runs: list[Run], profile: dict[str, float]) -> None:
    print(f"PostgreSQL + RabbitMQ on loopback, {os.cpu_count()} CPUs shared by relay, workers and database")
    print(f"| {'run':<26} | {'sales':>9} | {'workers':>7} | {'COPY in s':>9} | {'relay s':>8} | {'cleared s':>9} | "
          f"{'sales/s':>8} | {'lock waits':>10} | {'settle s':>8} |")
    print(f"|{'-' * 28}|{'-' * 10}:|{'-' * 8}:|{'-' * 10}:|{'-' * 9}:|{'-' * 10}:|{'-' * 9}:|{'-' * 11}:|{'-' * 9}:|")
    for run in runs:
        print(f"| {run.label:<26} | {run.sales:>9,} | {run.workers:>7} | {run.copy_s:>9.2f} | {run.relay_s:>8.1f} | "
              f"{run.clear_s:>9.1f} | {run.rate:>8.1f} | {run.lock_wait_share:>9.0%} | {run.settle_s:>8.2f} |")
    for run in runs:
        if run.baseline_copy_s:
            print(_baseline_line(run))
    print("settle s: clearing.settlement.settle_period of " + PERIOD + " for all 4 operators")
    print("lock waits: share of 0.5 s samples in which a database backend waited on a lock (chain head, carry rows)")
    print("profile, in-process (no broker), one event at a time: " +
          ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in profile.items()))
    for run in runs:
        print(f"checks {run.label}: {'OK' if checks_pass(run) else 'FAILED'} {run.checks}")
        if run.settle_error:
            print(f"  settlement failed: {run.settle_error}")
    real = next((run for run in runs if run.workers == 1 and run.rate), None)
    if real is not None:
        print(f"1,000,000 sales through the real path at {real.rate:.0f}/s would take "
              f"{1_000_000 / real.rate / 3600:.1f} h")


def figures(runs: list[Run]) -> dict[str, Any]:
    """The JSON line: batch worker rates, its scaling, and the ratios to a raw COPY of the same ledger rows."""
    def rate(engine: str, workers: int) -> float:
        return next((run.rate for run in runs if run.label.startswith(engine) and run.workers == workers
                     and run.rate), 0.0)

    def ratio(run: Run | None) -> float:
        if run is None or not run.baseline_copy_s or not run.clear_s:
            return 0.0
        return (run.ledger_rows / run.clear_s) / (run.ledger_rows / run.baseline_copy_s)

    one = rate("batches", 1) or rate("real path", 1)
    out: dict[str, Any] = {"bench": "clearing_throughput", "real_sales_per_s_per_worker": round(one, 1),
                           "scaling_2_workers": round(rate("batches", 2) / one, 2) if one else 0.0,
                           "scaling_4_workers": round(rate("batches", 4) / one, 2) if one else 0.0,
                           "bulk_ratio_to_copy": round(ratio(next((r for r in runs if r.workers == 0), None)), 4),
                           "real_ratio_to_copy": round(ratio(next((r for r in runs if r.workers == 1
                                                                   and r.baseline_copy_s), None)), 4)}
    for run in runs:
        if run.workers and not run.label.startswith("real path"):
            out[f"{run.engine}_{run.workers}_sales_per_s"] = round(run.rate, 1)
            out[f"{run.engine}_{run.workers}_lock_wait_share"] = round(run.lock_wait_share, 3)
    celery_one = rate("celery", 1)
    out["batches_vs_celery_1_worker"] = round(one / celery_one, 1) if celery_one else 0.0
    return out


def _progress(run: Run) -> None:
    print(f"done: {run.label}: {run.sales:,} sales cleared in {run.clear_s:.1f} s ({run.rate:.1f}/s), settlement "
          f"{run.settle_s:.2f} s, checks {'OK' if checks_pass(run) else 'FAILED'}", flush=True)


def main(argv: list[str] | None = None) -> None:
    global SCHEMA  # scoped() and reset_schema() use it
    parser = argparse.ArgumentParser(prog="python -m bench.clearing_throughput", description=__doc__.split("\n")[0])
    parser.add_argument("--sales", type=int, default=BULK_SALES, help="sales cleared by the bulk path (clearing.bulk)")
    parser.add_argument("--real-sales", type=int, default=SALES,
                        help="sales through the real path (relay, RabbitMQ, 1 worker)")
    parser.add_argument("--scaling-sales", type=int, default=SCALING_SALES, help="sales per scaling run")
    parser.add_argument("--workers", default=",".join(map(str, SCALING_WORKERS)),
                        help="worker processes of the scaling runs, comma separated ('' for none)")
    parser.add_argument("--worker-args", default="",
                        help="extra arguments for every `farebridge worker`, e.g. '--prefetch-multiplier 1'")
    parser.add_argument("--profile-events", type=int, default=PROFILE_EVENTS,
                        help="events of the in-process profile (0: none)")
    parser.add_argument("--batch", type=int, default=BULK_BATCH, help="events per bulk transaction")
    parser.add_argument("--database-url", default=DATABASE_URL,
                        help="PostgreSQL database; the benchmark works in one schema of it only")
    parser.add_argument("--schema", default=SCHEMA, help="the schema (dropped and created; two runs need two)")
    parser.add_argument("--broker-url", default=BROKER_URL)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds a real-path run may take")
    parser.add_argument("--engines", default="celery,batches",
                        help="worker kinds of the scaling runs: celery (one event a transaction), batches")
    parser.add_argument("--quick", action="store_true", help="small sizes, same figures")
    args = parser.parse_args(argv or [])  # python -m bench passes none: the defaults
    if args.quick:
        args.sales, args.real_sales, args.scaling_sales, args.profile_events = 5_000, 0, 1_000, 100
    SCHEMA = args.schema
    import logging

    logging.disable(logging.INFO)
    runs: list[Run] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            log_dir = Path(tmp)
            profile = profile_one_by_one(args.database_url, log_dir, args.profile_events) if args.profile_events \
                else {}
            if args.real_sales:
                run = Run("real path, 1 worker", args.real_sales, 1, "batches")
                clear_through_broker(run, args.database_url, args.broker_url, log_dir, args.timeout,
                                     args.worker_args.split())
                run.baseline_copy_s = baseline_copy(args.database_url)
                settle_and_check(run, args.database_url, log_dir)
                runs.append(run)
                _progress(run)
            for engine, workers in [(e.strip(), int(w)) for e in args.engines.split(",") if e.strip()
                                    for w in args.workers.split(",") if w.strip()]:
                run = Run(f"{engine}, {workers} worker(s)", args.scaling_sales, workers, engine)
                clear_through_broker(run, args.database_url, args.broker_url, log_dir, args.timeout,
                                     args.worker_args.split())
                settle_and_check(run, args.database_url, log_dir)
                runs.append(run)
                _progress(run)
            if args.sales:
                run = Run(f"bulk, {args.batch:,} a transaction", args.sales, 0)
                clear_in_bulk(run, args.database_url, log_dir, args.batch)
                run.baseline_copy_s = baseline_copy(args.database_url)
                settle_and_check(run, args.database_url, log_dir)
                runs.append(run)
                _progress(run)
    finally:
        reset_schema(args.database_url, drop_only=True)
    print_report(runs, profile)
    print(json.dumps(figures(runs)))
    if not all(checks_pass(run) for run in runs):
        sys.exit("a check failed")


if __name__ == "__main__":
    main(sys.argv[1:])
