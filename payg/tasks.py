"""Celery tasks for pay-as-you-go, on their own queue (``FAREBRIDGE_PAYG_QUEUE``): thin wrappers.

``ingest_taps`` is the RabbitMQ consumer of tap batches: a redelivered batch
changes nothing (taps are unique by device and event id), and refused taps
are logged one by one with their reasons. ``charge_shard`` charges one shard
of a service day's accounts, so N workers share a day's charge run.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy.exc import OperationalError

from clearing.worker import celery_app
from core.db import utcnow
from core.runtime import get_runtime
from payg import services
from ticketing.payment_providers import sandbox_provider

log = logging.getLogger(__name__)


@celery_app.task(name="farebridge.payg_ingest_taps", acks_late=True, autoretry_for=(OperationalError,),
                 retry_backoff=True, retry_backoff_max=30, max_retries=10)
def ingest_taps(taps: list[Any]) -> dict[str, Any]:
    rt = get_runtime()
    result = services.ingest(rt.uow(), taps, rt.settings, utcnow())
    for rejection in result.rejected:
        log.warning("tap refused device_id=%s event_id=%s reasons=%s", rejection.device_id, rejection.event_id,
                    rejection.errors)
    return result.to_json()


@celery_app.task(name="farebridge.payg_charge_shard", acks_late=True, autoretry_for=(OperationalError,),
                 retry_backoff=True, retry_backoff_max=30, max_retries=5)
def charge_shard(service_date: str, shard: int, shards: int) -> dict[str, Any]:
    rt = get_runtime()
    run = services.charge_day(rt.uow(), date.fromisoformat(service_date), sandbox_provider(), rt.settings, utcnow(),
                              shard=shard, shards=shards)
    return run.to_json()


def publish_taps(taps: list[dict[str, Any]]) -> None:
    """What a validator gateway does: hand a batch to the pay-as-you-go queue."""
    ingest_taps.apply_async(args=[taps], queue=get_runtime().settings.payg_queue)


def dispatch_charge_run(service_date: date, shards: int) -> None:
    for shard in range(shards):
        charge_shard.apply_async(args=[service_date.isoformat(), shard, shards],
                                 queue=get_runtime().settings.payg_queue)
