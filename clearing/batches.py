"""Clearing a batch of delivered events: the sales in one transaction, the rest one by one.

A worker hands over what the broker delivered (clearing/batch_worker.py). The
``SalePaid`` events, by far the most, are booked together by
``clearing.bulk.clear_sales`` in ONE database transaction (apportionment in
memory, one multi-row ``INSERT`` per table); events already cleared are
skipped by id, so a redelivered batch books nothing twice. Refunds, top-ups
and pay-as-you-go days follow one by one through ``clearing.services``
(after the sales, so a refund finds a sale of the same batch).

If the bulk transaction fails (a bad event, or another worker cleared one of
the events at the same moment), nothing of it is kept and its sales are
cleared one by one instead: the bad one alone fails, the others are cleared
or found already cleared. Each event gets an outcome; the worker acknowledges
only after the outcome is committed.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import OperationalError

from clearing import bulk, services
from core.outbox import SALE_PAID
from core.unit_of_work import SqlUnitOfWork

log = logging.getLogger(__name__)

RETRY, FAILED = "retry", "failed"
TRANSIENT: tuple[type[BaseException], ...] = (OperationalError,)  # also ``SaleNotClearedYet``


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # services.CLEARED, DUPLICATE, IGNORED, or RETRY (try later), FAILED (dead letter)
    error: BaseException | None = None


def _one(uow: SqlUnitOfWork, message: dict[str, Any], transient: tuple[type[BaseException], ...]) -> Outcome:
    try:
        return Outcome(services.clear_event(uow, message))
    except transient as error:
        return Outcome(RETRY, error)
    except Exception as error:  # noqa: BLE001 - a retry cannot fix it: the caller keeps it as a dead letter
        log.exception("clearing event_id=%s failed", message.get("id"))
        return Outcome(FAILED, error)


def clear_messages(make_uow: Callable[[], SqlUnitOfWork], messages: Sequence[dict[str, Any]],
                   transient: tuple[type[BaseException], ...] = TRANSIENT) -> list[Outcome]:
    """The outcome of each message, in order; sales in one transaction when they can be.

    ``transient`` errors (the database went away, a refund ahead of its sale)
    come back as ``RETRY``; the caller decides when to try again.
    """
    outcomes: list[Outcome | None] = [None] * len(messages)
    sales = [i for i, message in enumerate(messages) if message.get("type") == SALE_PAID]
    if sales:
        try:
            bulk.clear_batch(make_uow(), [messages[i] for i in sales])
            for i in sales:  # cleared now, or already (a redelivery): either way booked exactly once
                outcomes[i] = Outcome(services.CLEARED)
        except transient as error:
            for i in sales:
                outcomes[i] = Outcome(RETRY, error)
        except Exception:  # noqa: BLE001 - one by one below finds the event that cannot be cleared
            log.warning("a batch of %d sales failed as a whole; clearing them one by one", len(sales),
                        exc_info=True)
            for i in sales:
                outcomes[i] = _one(make_uow(), messages[i], transient)
    for i, message in enumerate(messages):
        if outcomes[i] is None:
            outcomes[i] = _one(make_uow(), message, transient)
    return [outcome for outcome in outcomes if outcome is not None]
