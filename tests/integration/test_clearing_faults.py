"""Fault tests on the production stack (web app, real `farebridge worker` processes, PostgreSQL, RabbitMQ):
a worker killed with SIGKILL in the middle of a batch, and RabbitMQ stopped while sales go on.
After each: every sale cleared exactly once, the ledger balanced and intact, reconciliation difference 0."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection
from sqlalchemy import create_engine, func, select

from bench.processes import stop_processes
from clearing.ledger_chain import verify_ledger
from clearing.models import ClearingRecord
from core.db import make_session_factory
from tests.conftest import _truncate_postgres, unguessable_key
from tests.integration.test_end_to_end_rabbitmq import broker, call, free_port, wait_until  # noqa: F401
from webapp.demo.timetable import next_working_day

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]
ADMIN = {"Authorization": "Bearer demo-admin"}


class Stack:
    def __init__(self, tmp: Path, database_url: str, broker_url: str) -> None:
        self.tmp, self.url = tmp, database_url
        self.queue = f"farebridge.test.{uuid.uuid4().hex[:8]}"
        self.env = {**os.environ, "FAREBRIDGE_DATABASE_URL": database_url, "FAREBRIDGE_BROKER_URL": broker_url,
                    "FAREBRIDGE_CLEARING_QUEUE": self.queue, "FAREBRIDGE_INSTANCE_DIR": str(tmp / "instance")}
        self.cli = [sys.executable, "-m", "webapp.cli"]
        self.processes: list[subprocess.Popen[bytes]] = []
        self.base = ""

    def start(self, *args: str, log: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(self.cli + list(args), env=self.env, stdout=(self.tmp / log).open("w"),
                                   stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def serve(self) -> None:
        subprocess.run(self.cli + ["demo", "load"], env=self.env, check=True, capture_output=True, timeout=120)
        port = free_port()
        self.start("serve", "--port", str(port), log="server.log")
        self.base = f"http://127.0.0.1:{port}/api/v1"

        def up() -> Any:
            try:
                return call(self.base, "GET", "/health")
            except OSError:
                return None

        wait_until(up, 60, "the web app")

    def purchase(self, n: int) -> int:
        at = f"{next_working_day(date.today())}T08:00"
        legs = call(self.base, "GET", f"/journeys?from=ALT_EICH_WALDWEG&to=BGS_SONN_BUCHENWEG&at={at}")[1][
            "options"][0]["legs"]
        status, order = call(self.base, "POST", "/orders", {"legs": legs},
                             {"Idempotency-Key": unguessable_key(f"o-{n}")})
        assert status == 201, order
        status, paid = call(self.base, "POST", f"/orders/{order['id']}/payment",
                            {"method": "card", "card_token": "tok_ok"},
                            {"Authorization": f"Bearer {order['access_token']}", "Idempotency-Key": f"p-{n}"})
        assert status == 200, paid
        return int(order["total_minor"])

    def cleared_sales(self) -> int:
        engine = create_engine(self.url)
        with engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(ClearingRecord)
                                 .where(ClearingRecord.event_type == "SalePaid")).scalar_one()
        engine.dispose()
        return int(count)

    def check_books(self, sales: int, paid_minor: int) -> None:
        assert self.cleared_sales() == sales
        engine = create_engine(self.url)
        with make_session_factory(engine)() as session:
            verification = verify_ledger(session)
        engine.dispose()
        assert verification.ok, verification.reason
        period = time.strftime("%Y-%m", time.gmtime())
        recon = call(self.base, "GET", f"/clearing/reconciliation?period={period}", headers=ADMIN)[1]
        assert (recon["payments_minor"], recon["operator_shares_minor"]) == (paid_minor, paid_minor)
        assert recon["difference_minor"] == 0 and recon["ledger_balanced"] is True

    def stop(self) -> None:
        stop_processes(self.processes)
        with Connection(self.env["FAREBRIDGE_BROKER_URL"]) as connection:
            channel = connection.channel()
            for queue in (self.queue, f"{self.queue}.dead"):
                channel.queue_delete(queue)
            channel.exchange_delete(f"{self.queue}.dead-letter")


@pytest.fixture
def stack(tmp_path: Path, postgres_url: str, broker: str):  # noqa: F811
    _truncate_postgres(postgres_url)
    built = Stack(tmp_path, postgres_url, broker)
    try:
        built.serve()
        yield built
    finally:
        built.stop()


@pytest.mark.parametrize("mode", [["--batch-size", "3", "--batch-wait-ms", "50"], ["--celery"]],
                         ids=["batches", "celery"])
def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(stack, mode):
    """Batches of 3 with 40 sales waiting: the kill lands while batches are being booked (or acknowledged)."""
    sales = 40
    paid = sum(stack.purchase(n) for n in range(sales))  # queued in RabbitMQ: no worker runs yet
    first = stack.start("worker", "--no-beat", *mode, log="worker-1.log")
    wait_until(lambda: stack.cleared_sales() >= 5, 60, "the first worker to clear some sales")
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert stack.cleared_sales() < sales, "the batch finished before the kill; the test proves nothing"
    stack.start("worker", "--no-beat", *mode, log="worker-2.log")
    wait_until(lambda: stack.cleared_sales() == sales, 90, "the second worker to clear the rest")
    time.sleep(2)  # a redelivered message would show up now
    stack.check_books(sales, paid)


@pytest.mark.parametrize("mode", [[], ["--celery"]], ids=["batches", "celery"])
def test_two_workers_on_one_host_both_run_and_share_the_queue(stack, mode):
    """Two Celery workers with one node name died on the pidbox queue (ResourceLocked); now each has its own."""
    sales = 12
    paid = sum(stack.purchase(n) for n in range(sales))
    workers = [stack.start("worker", "--no-beat", *mode, log=f"worker-{n}.log") for n in (1, 2)]
    ready = "ready" if mode else "clearing worker ready"
    wait_until(lambda: all(ready in (stack.tmp / f"worker-{n}.log").read_text() for n in (1, 2)), 60,
               "both workers to be ready")
    wait_until(lambda: stack.cleared_sales() == sales, 90, "the workers to clear every sale")
    time.sleep(2)
    assert [worker.poll() for worker in workers] == [None, None], "a worker died"
    logs = "".join((stack.tmp / f"worker-{n}.log").read_text() for n in (1, 2))
    assert "ResourceLocked" not in logs
    if mode:
        names = set(re.findall(r"(clearing-\d+)@\S+ ready", logs))
        assert len(names) == 2, logs[-2000:]
    stack.check_books(sales, paid)


def rabbitmq(command: str) -> None:
    subprocess.run(["rabbitmqctl", command], check=True, capture_output=True, timeout=120)


def test_sales_go_on_while_rabbitmq_is_down_and_clear_when_it_is_back(stack):
    stack.start("worker", log="worker.log")  # with the periodic outbox relay
    paid = sum(stack.purchase(n) for n in range(5))
    wait_until(lambda: stack.cleared_sales() == 5, 60, "clearing before the outage")
    rabbitmq("stop_app")
    try:
        paid += sum(stack.purchase(n) for n in range(5, 15))  # payments succeed; events wait in the outbox
        pending = call(stack.base, "GET", "/health")[1]
        assert pending["pending_events"] >= 10 and pending["broker"].startswith("unreachable")
        assert stack.cleared_sales() == 5
    finally:
        rabbitmq("start_app")
    wait_until(lambda: stack.cleared_sales() == 15, 120, "the relay and the worker to catch up")
    time.sleep(2)
    stack.check_books(15, paid)
