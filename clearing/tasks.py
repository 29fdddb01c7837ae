"""Celery tasks: thin wrappers around one service call each."""
from __future__ import annotations

from typing import Any

from sqlalchemy.exc import OperationalError

from clearing import services
from clearing.refunds import SaleNotClearedYet
from clearing.worker import celery_app
from core.outbox import EventMessage, relay_pending
from core.runtime import get_runtime


@celery_app.task(name="farebridge.clear_event", acks_late=True, autoretry_for=(OperationalError, SaleNotClearedYet),
                 retry_backoff=True, retry_backoff_max=60, max_retries=10)
def clear_event(message: dict[str, Any]) -> str:
    return services.clear_event(get_runtime().uow(), message)


@celery_app.task(name="farebridge.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    return relay_pending(get_runtime().session_factory, publish_event)


def publish_event(message: EventMessage) -> None:
    """Hand an outbox event to the broker (or, eagerly, to the clearing task itself)."""
    clear_event.apply_async(
        args=[message],
        queue=get_runtime().settings.clearing_queue,
        retry=True,
        retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
    )
