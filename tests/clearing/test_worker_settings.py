"""The Celery settings clearing's guarantees rest on (late acks, a few messages in flight)."""
from __future__ import annotations

from clearing.tasks import clear_event
from clearing.worker import PREFETCH_MULTIPLIER, make_celery
from core.config import Settings


def test_the_worker_acks_after_the_task_and_holds_a_few_messages():
    app = make_celery(Settings.from_env({"FAREBRIDGE_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//"}))
    assert app.conf.task_acks_late is True and app.conf.task_reject_on_worker_lost is True
    # more than one in flight, so an ack never waits for the event loop's next timer (clearing/worker.py)
    assert app.conf.worker_prefetch_multiplier == PREFETCH_MULTIPLIER > 1
    assert clear_event.acks_late is True and clear_event.acks_on_failure_or_timeout is False
