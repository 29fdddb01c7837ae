"""Pay-as-you-go on the production stack: tap batches through RabbitMQ into a real Celery worker process
(its own queue), replayed without effect; the day charged by shard tasks; the charge cleared by the clearing
worker; reconciliation to the cent. PostgreSQL and RabbitMQ."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection
from sqlalchemy import func, select

from bench.processes import stop_processes
from clearing.models import ClearingRecord
from clearing.periods import parse_period
from clearing.reconciliation import reconcile
from core.config import Settings
from core.db import utcnow
from core.outbox import PAYG_DAY_CHARGED
from core.runtime import Runtime, set_runtime
from payg.models import PaygCharge, Tap
from payg.services import OpenAccount, open_account, payg_money
from tests.conftest import AMQP_URL, service_missing
from tests.integration.test_end_to_end_rabbitmq import wait_until
from tests.payg.rides import ride
from ticketing.services import captured_total

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


@pytest.fixture
def stack(tmp_path: Path, postgres_url: str) -> Iterator[dict[str, Any]]:
    from tests.conftest import _truncate_postgres

    try:
        with Connection(AMQP_URL, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001
        service_missing("RabbitMQ", exc)
    _truncate_postgres(postgres_url)
    suffix = uuid.uuid4().hex[:8]
    queues = {"FAREBRIDGE_CLEARING_QUEUE": f"farebridge.test.{suffix}",
              "FAREBRIDGE_PAYG_QUEUE": f"farebridge.test.payg.{suffix}"}
    env = {**os.environ, "FAREBRIDGE_DATABASE_URL": postgres_url, "FAREBRIDGE_BROKER_URL": AMQP_URL,
           "FAREBRIDGE_INSTANCE_DIR": str(tmp_path / "instance"), **queues}
    cli = [sys.executable, "-m", "webapp.cli"]
    subprocess.run(cli + ["demo", "load"], env=env, check=True, capture_output=True, timeout=120)
    logs = tmp_path / "logs"
    logs.mkdir()
    workers = [
        subprocess.Popen(cli + ["payg", "worker"], env=env, stdout=(logs / "payg.log").open("w"),
                         stderr=subprocess.STDOUT),
        subprocess.Popen(cli + ["worker"], env=env, stdout=(logs / "clearing.log").open("w"),
                         stderr=subprocess.STDOUT),
    ]
    settings = Settings.from_env(env)
    runtime = Runtime.from_settings(settings)
    set_runtime(runtime)
    try:
        yield {"runtime": runtime, "cli": cli, "env": env, "workers": workers, "tmp": tmp_path}
    finally:
        set_runtime(None)
        runtime.engine.dispose()
        stop_processes(workers)
        with Connection(AMQP_URL) as connection:
            channel = connection.channel()
            for queue in queues.values():
                channel.queue_delete(queue)
                channel.queue_delete(f"{queue}.dead")
                channel.exchange_delete(f"{queue}.dead-letter")
                channel.exchange_delete(queue)
        for log in sorted(logs.iterdir()):
            sys.stdout.write(f"--- {log.name} (tail)\n" + "".join(log.read_text().splitlines(True)[-30:]))


def count(runtime: Runtime, query: Any) -> int:
    with runtime.session_factory() as session:
        return int(session.scalar(query) or 0)


def publish(stack: dict[str, Any], taps: list[dict[str, Any]], name: str) -> None:
    """``farebridge payg publish`` in its own process (this one's Celery app may be bound to another broker)."""
    path = stack["tmp"] / f"{name}.json"
    path.write_text(json.dumps({"taps": taps}))
    done = subprocess.run(stack["cli"] + ["payg", "publish", str(path), "--batch", "3"], env=stack["env"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_taps_through_rabbitmq_are_stored_once_charged_by_shards_and_cleared(stack):
    runtime: Runtime = stack["runtime"]
    open_account(runtime.uow(), OpenAccount("rabbit-1", "adult", "card", "tok_ok"), utcnow())
    day = (utcnow() - timedelta(days=1)).date()
    taps = (ride("rabbit-1", "RE1", "WES_BF", "ALT_HBF", day, "07:00", "07:30")
            + ride("rabbit-1", "T1", "ALT_WALDSIEDLUNG", "ALT_GARTENSTADT", day, "10:00", "10:20")
            + ride("rabbit-1", "RE1", "ALT_HBF", "WES_BF", day, "17:00", "17:30"))
    bad = {**taps[0], "event_id": "bad-1", "stop_id": "NOWHERE"}
    publish(stack, taps[:4] + [bad], "first")
    publish(stack, taps[2:], "second")  # overlaps the first
    all_taps = select(func.count()).select_from(Tap)
    wait_until(lambda: count(runtime, all_taps) == 6, 60, "the payg worker to store the taps")
    publish(stack, taps, "replay")  # the whole day again
    time.sleep(3)
    assert count(runtime, all_taps) == 6

    charged = subprocess.run(stack["cli"] + ["payg", "charge", "--date", day.isoformat(), "--shards", "2"],
                             env=stack["env"], capture_output=True, text=True, timeout=60)
    assert charged.returncode == 0, charged.stderr
    wait_until(lambda: count(runtime, select(func.count()).select_from(PaygCharge)) == 1, 60, "the shard tasks")
    with runtime.session_factory() as session:
        charge = session.scalars(select(PaygCharge)).one()
    assert (charge.amount_minor, charge.uncapped_minor) == (900, 1250)

    cleared = select(func.count()).select_from(ClearingRecord).where(ClearingRecord.event_type == PAYG_DAY_CHARGED)
    wait_until(lambda: count(runtime, cleared) == 1, 60, "the clearing worker to clear the day")
    period = charge.created_at.strftime("%Y-%m")
    start, end = parse_period(period)
    with runtime.session_factory() as session:
        collected, given_back = payg_money(session, start, end, "EUR")
        result = reconcile(session, period, "EUR", captured_total(session, start, end, "EUR") + collected,
                           given_back)
    assert result.difference_minor == 0 and result.ledger_total_minor == 0
    assert all(process.poll() is None for process in stack["workers"]), "a worker process died"
