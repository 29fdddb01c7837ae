"""Purchases per second over HTTP: gunicorn (4 workers) on PostgreSQL, load from threads on loopback.

Creates its own database ``farebridge_bench`` (dropped at the end; the ``test``
database is never touched), loads the demo, starts gunicorn, then measures in
the same run the trivial endpoint ``GET /api/v1/health`` (baseline) and
purchases: ``POST /orders`` + ``POST /orders/{id}/payment`` by sandbox card,
each with an ``Idempotency-Key`` as a real client sends it, clearing
in-process. Clients are threads with one keep-alive ``http.client``
connection each.

``gunicorn``, ``HttpClient`` and ``server_env`` are also used by
tests/integration/test_concurrent_purchases.py.

``python -m bench.purchases_http [--quick]`` (quick: 60 purchases and 300 health requests per run instead of 600
and 3,000, 12 warm-up purchases instead of 60).
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.processes import stop_processes

ROOT = Path(__file__).resolve().parents[1]
SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432"
DATABASE = "farebridge_bench"
BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
WORKERS, THREADS = 4, 4
CLIENTS = 8
HEALTH_REQUESTS, QUICK_HEALTH_REQUESTS = 3000, 300
PURCHASES, QUICK_PURCHASES = 600, 60
WARM_UP, QUICK_WARM_UP = 60, 12
JOURNEY = "/api/v1/journeys?from=ALT_EICH_WALDWEG&to=BGS_SONN_BUCHENWEG&at={day}T08:00"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HttpClient:
    """JSON requests over one keep-alive connection per thread."""

    def __init__(self, host: str, port: int, timeout: float = 60) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = http.client.HTTPConnection(self.host, self.port,
                                                                              timeout=self.timeout)
        return connection

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
        """One request; a connection the server closed in between is reopened once (callers send keys on POSTs)."""
        payload = json.dumps(body).encode() if body is not None else None
        sent = {**({"Content-Type": "application/json"} if payload is not None else {}), **(headers or {})}
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.request(method, path, body=payload, headers=sent)
                response = connection.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                connection.close()
                if attempt == 2:
                    raise
        return response.status, json.loads(data) if data else None, dict(response.getheaders())


def server_env(database_url: str, instance_dir: Path) -> dict[str, str]:
    """The app's environment: this database, no broker (clearing in-process), one signing key for all workers."""
    return {**os.environ, "FAREBRIDGE_DATABASE_URL": database_url, "FAREBRIDGE_BROKER_URL": "",
            "FAREBRIDGE_INSTANCE_DIR": str(instance_dir),
            "FAREBRIDGE_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode()}


@contextmanager
def gunicorn(env: dict[str, str], log_path: Path, workers: int = WORKERS,
             threads: int = THREADS) -> Iterator[HttpClient]:
    """gunicorn serving ``webapp:create_app()`` on a free loopback port, until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "gthread",
               "--threads", str(threads), "--keep-alive", "30", "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "webapp:create_app()"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            client = HttpClient("127.0.0.1", port)
            _wait_healthy(client, process, log_path)
            yield client
        finally:
            stop_processes([process])


def _wait_healthy(client: HttpClient, process: subprocess.Popen[bytes], log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if client.call("GET", "/api/v1/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not become healthy in {timeout:.0f} s:\n{log_path.read_text()[-3000:]}")


def journey_legs(client: HttpClient) -> tuple[list[dict[str, Any]], int]:
    """The legs and price (minor units) of the demo's first journey option tomorrow at 08:00."""
    status, body, _ = client.call("GET", JOURNEY.format(day=date.today() + timedelta(days=1)))
    if status != 200:
        raise RuntimeError(f"journeys: {status} {body}")
    option = body["options"][0]
    return option["legs"], int(option["price"]["total_minor"])


def purchase_by_card(client: HttpClient, legs: list[dict[str, Any]], key: str) -> str:
    """Order + card payment; the ticket id."""
    status, order, _ = client.call("POST", "/api/v1/orders", {"legs": legs, "rider_category": "adult"},
                                   {"Idempotency-Key": str(uuid.uuid5(uuid.NAMESPACE_URL, f"order-{key}"))})
    if status != 201:
        raise RuntimeError(f"order {key}: {status} {order}")
    status, paid, _ = client.call("POST", f"/api/v1/orders/{order['id']}/payment",
                                  {"method": "card", "card_token": "tok_ok"},
                                  {"Authorization": f"Bearer {order['access_token']}", "Idempotency-Key": f"pay-{key}"})
    if status != 200:
        raise RuntimeError(f"payment {key}: {status} {paid}")
    return str(paid["ticket"]["id"])


@dataclass(frozen=True, slots=True)
class Measured:
    name: str
    count: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[p - 1] * 1000


def measure(name: str, count: int, clients: int, action: Callable[[int], None]) -> Measured:
    """Run ``action(i)`` for i < count from ``clients`` threads; throughput over the wall time."""
    def timed(i: int) -> float:
        start = time.perf_counter()
        action(i)
        return time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = list(pool.map(timed, range(count)))
    return Measured(name, count, time.perf_counter() - start, latencies)


def _recreate_database(server_url: str, drop_only: bool = False) -> None:
    engine = create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        if not drop_only:
            conn.execute(text(f"CREATE DATABASE {DATABASE}"))
    engine.dispose()


def _prepare(database_url: str, instance_dir: Path) -> None:
    """Schema (from the models: a scratch database) and the demo data."""
    from core.config import Settings
    from core.runtime import Runtime
    from migrations.metadata import all_metadata
    from webapp.demo import load_demo

    runtime = Runtime.from_settings(Settings.from_env({"FAREBRIDGE_DATABASE_URL": database_url,
                                                       "FAREBRIDGE_INSTANCE_DIR": str(instance_dir)}))
    all_metadata().create_all(runtime.engine)
    load_demo(runtime.uow())
    runtime.engine.dispose()


@contextmanager
def clearing_worker(env: dict[str, str], log_path: Path) -> Iterator[None]:
    """A ``farebridge worker`` process on its own queue, removed afterwards."""
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "webapp.cli", "worker", "--no-beat"], env=env, cwd=ROOT,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            yield
        finally:
            stop_processes([process], timeout=30)
            from kombu import Connection

            with Connection(env["FAREBRIDGE_BROKER_URL"]) as connection:
                connection.channel().queue_delete(env["FAREBRIDGE_CLEARING_QUEUE"])


def _run(env: dict[str, str], instance: Path, label: str, purchases: int, health_requests: int,
         clients: int, warm_up: int = WARM_UP) -> tuple[Measured, Measured]:
    with gunicorn(env, instance / f"gunicorn-{label}.log") as client:
        legs, _price = journey_legs(client)
        for i in range(warm_up):  # every worker builds its pricing cache and connection pool first
            purchase_by_card(client, legs, f"warm-{label}-{i}")
            client.call("GET", "/api/v1/health")

        def health(_i: int) -> None:
            status = client.call("GET", "/api/v1/health")[0]
            if status != 200:
                raise RuntimeError(f"health: {status}")

        def purchase(i: int) -> None:
            purchase_by_card(client, legs, f"bench-{label}-{i}")

        base = measure(f"GET /api/v1/health ({label})", health_requests, clients, health)
        buy = measure(f"purchase ({label})", purchases, clients, purchase)
    return base, buy


def main(server_url: str = SERVER_URL, purchases: int = PURCHASES, health_requests: int = HEALTH_REQUESTS,
         clients: int = CLIENTS, broker_url: str = BROKER_URL, quick: bool = False) -> None:
    warm_up = WARM_UP
    if quick:
        purchases, health_requests = min(purchases, QUICK_PURCHASES), min(health_requests, QUICK_HEALTH_REQUESTS)
        warm_up = QUICK_WARM_UP
    _recreate_database(server_url)
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            instance = Path(tmp)
            _prepare(f"{server_url}/{DATABASE}", instance)
            env = server_env(f"{server_url}/{DATABASE}", instance)
            results.append(("clearing in-process", *_run(env, instance, "in-process", purchases, health_requests,
                                                          clients, warm_up)))
            queued = {**env, "FAREBRIDGE_BROKER_URL": broker_url,
                      "FAREBRIDGE_CLEARING_QUEUE": f"farebridge.bench.{os.getpid()}"}
            with clearing_worker(queued, instance / "worker.log"):
                results.append(("RabbitMQ + 1 worker", *_run(queued, instance, "broker", purchases,
                                                             health_requests, clients, warm_up)))
    finally:
        _recreate_database(server_url, drop_only=True)
    print(f"gunicorn {WORKERS} workers x {THREADS} threads (gthread), PostgreSQL; {clients} client threads with "
          f"keep-alive connections on loopback, {os.cpu_count()} CPUs shared by everything")
    print(f"| {'what':<38} | {'count':>6} | {'per second':>10} | {'p50 ms':>7} | {'p95 ms':>7} |")
    print(f"|{'-' * 40}|{'-' * 7}:|{'-' * 11}:|{'-' * 8}:|{'-' * 8}:|")
    for _label, base, buy in results:
        for m in (base, buy):
            p50, p95 = m.percentile(50), m.percentile(95)
            print(f"| {m.name:<38} | {m.count:>6} | {m.rate:>10.1f} | {p50:>7.2f} | {p95:>7.2f} |")
    figures: dict[str, object] = {"bench": "purchases_http", "quick": quick, "gunicorn_workers": WORKERS,
                                  "gunicorn_threads": THREADS, "clients": clients, "purchases": purchases,
                                  "health_requests": health_requests}
    for label, base, buy in results:
        print(f"{label}: ratio purchases/s to health/s {buy.rate / base.rate:.3f} (aim >= 0.333)")
        key = "in_process" if label == "clearing in-process" else "broker"
        figures.update({f"{key}_health_per_s": round(base.rate, 1),
                        f"{key}_health_p95_ms": round(base.percentile(95), 2),
                        f"{key}_purchases_per_s": round(buy.rate, 1),
                        f"{key}_purchase_p50_ms": round(buy.percentile(50), 2),
                        f"{key}_purchase_p95_ms": round(buy.percentile(95), 2),
                        f"{key}_purchase_health_ratio": round(buy.rate / base.rate, 3)})
    print(json.dumps(figures))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
