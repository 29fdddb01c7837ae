"""End to end on the production stack: the web app and a real Celery worker process,
PostgreSQL and RabbitMQ. Quote -> order -> pay -> relay -> worker clears -> settle -> reconcile."""
from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection
from sqlalchemy import create_engine, func, select, update

from bench.processes import stop_processes
from clearing.models import ClearingRecord
from core.outbox import OutboxEvent
from tests.conftest import AMQP_URL, service_missing, unguessable_key
from webapp.demo.timetable import next_working_day

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(base: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_until(check, timeout: float, what: str, every: float = 0.05):
    """Polls often: a worker clears a sale in a few ms, and the fault tests must act mid-batch."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def broker() -> str:
    try:
        with Connection(AMQP_URL, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001
        service_missing("RabbitMQ", exc)
    return AMQP_URL


@pytest.fixture
def stack(tmp_path: Path, postgres_url: str, broker: str) -> Iterator[dict[str, Any]]:
    from tests.conftest import _truncate_postgres

    _truncate_postgres(postgres_url)
    queue = f"farebridge.test.{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "FAREBRIDGE_DATABASE_URL": postgres_url, "FAREBRIDGE_BROKER_URL": broker,
           "FAREBRIDGE_CLEARING_QUEUE": queue, "FAREBRIDGE_INSTANCE_DIR": str(tmp_path / "instance"),
           "FAREBRIDGE_STATEMENTS_DIR": str(tmp_path / "statements")}
    cli = [sys.executable, "-m", "webapp.cli"]
    subprocess.run(cli + ["demo", "load"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    logs = tmp_path / "logs"
    logs.mkdir()
    server = subprocess.Popen(cli + ["serve", "--port", str(port)], env=env,
                              stdout=(logs / "server.log").open("w"), stderr=subprocess.STDOUT)
    worker = subprocess.Popen(cli + ["worker"], env=env,
                              stdout=(logs / "worker.log").open("w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/api/v1"

    def healthy():
        try:
            return call(base, "GET", "/health")
        except OSError:
            return None

    try:
        wait_until(healthy, 60, "the web app to start")
        yield {"base": base, "env": env, "cli": cli, "queue": queue, "url": postgres_url, "tmp": tmp_path,
               "worker": worker}
    finally:
        stop_processes((server, worker))
        with Connection(broker) as connection:
            channel = connection.channel()
            channel.queue_delete(queue)
            channel.queue_delete(f"{queue}.dead")
            channel.exchange_delete(f"{queue}.dead-letter")
        for log in sorted(logs.iterdir()):
            sys.stdout.write(f"--- {log.name} (tail)\n" + "".join(log.read_text().splitlines(True)[-30:]))


def cleared_count(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(ClearingRecord)
                             .where(ClearingRecord.event_type == "SalePaid")).scalar_one()
    engine.dispose()
    return int(count)


def test_a_paid_sale_is_cleared_by_the_worker_and_settled_to_the_cent(stack):
    base = stack["base"]
    status, health = call(base, "GET", "/health")
    assert (status, health["database"], health["broker"]) == (200, "ok", "ok")

    at = f"{next_working_day(date.today())}T08:00"
    status, journeys = call(base, "GET", f"/journeys?from=ALT_EICH_WALDWEG&to=BGS_SONN_BUCHENWEG&at={at}")
    assert status == 200
    option = journeys["options"][0]
    status, order = call(base, "POST", "/orders", {"legs": option["legs"], "rider_category": "adult"},
                         {"Idempotency-Key": unguessable_key("e2e-order")})
    assert status == 201
    auth = {"Authorization": f"Bearer {order['access_token']}"}
    status, paid = call(base, "POST", f"/orders/{order['id']}/payment", {"method": "card", "card_token": "tok_ok"},
                        {**auth, "Idempotency-Key": "e2e-pay"})
    assert status == 200, paid
    period = paid["payment"]["created_at"][:7]

    admin = {"Authorization": "Bearer demo-admin"}

    def reconciled():
        status, body = call(base, "GET", f"/clearing/reconciliation?period={period}", headers=admin)
        return body if body["operator_shares_minor"] == body["payments_minor"] > 0 else None

    recon = wait_until(reconciled, 60, "the worker to clear the sale")
    assert recon["difference"] == "0.00" and recon["ledger_balanced"] is True
    assert recon["payments_minor"] == order["total_minor"] == 710
    assert cleared_count(stack["url"]) == 1

    # Deliver the same event again through the broker: nothing changes.
    engine = create_engine(stack["url"])
    with engine.begin() as conn:
        conn.execute(update(OutboxEvent).values(published_at=None))
    engine.dispose()
    subprocess.run(stack["cli"] + ["relay", "--once"], env=stack["env"], check=True, capture_output=True,
                   timeout=60)
    wait_until(lambda: call(base, "GET", "/health")[1]["pending_events"] == 0, 30, "the re-publication")
    time.sleep(3)  # give the worker time to (not) clear it twice
    assert cleared_count(stack["url"]) == 1
    assert stack["worker"].poll() is None, "the worker process died"

    settle = subprocess.run(stack["cli"] + ["settle", "--period", period], env=stack["env"], capture_output=True,
                            text=True, timeout=120)
    assert settle.returncode == 0, settle.stderr
    totals = {}
    for path in (stack["tmp"] / "statements").glob(f"statement_*_{period}.csv"):
        rows = list(csv.reader(path.open()))
        totals[rows[-1][0]] = rows[-1][6]
    assert set(totals) == {"RBA", "SWA", "BVB", "TAL", "FAE"}
    assert sum(int(v.replace(".", "")) for v in totals.values()) == 710
    status, final = call(base, "GET", f"/clearing/reconciliation?period={period}", headers=admin)
    assert final["difference_minor"] == 0
