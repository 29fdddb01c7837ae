"""Celery tasks: thin wrappers around one service call each.

``clear_event`` retries transient errors (the database, a refund ahead of its
sale) with exponential backoff. After the last retry, or at once for any other
error, the message goes to the dead-letter store (clearing/dead_letters.py),
and the broker rejects it without requeueing, so RabbitMQ keeps a copy in the
clearing queue's dead-letter queue (clearing/worker.py). ``acks_late`` stays:
a worker lost mid-task gets the message redelivered.
"""
from __future__ import annotations

import logging
from typing import Any

from celery import Task
from sqlalchemy.exc import OperationalError

from clearing import dead_letters, services
from clearing.refunds import SaleNotClearedYet
from clearing.worker import celery_app
from core.outbox import EventMessage, relay_pending, relay_pending_batch
from core.runtime import get_runtime

log = logging.getLogger(__name__)

TRANSIENT = (OperationalError, SaleNotClearedYet)


def _dead_letter(message: Any, task_id: str | None, error: BaseException, attempts: int) -> None:
    event_id = dead_letters.event_id_of(message, task_id or "unknown")
    try:
        dead_letters.store(get_runtime().session_factory, event_id, message, error, attempts)
    except Exception:  # the database may be what failed: the broker's dead-letter queue still has it
        log.exception("could not store the dead letter of event_id=%s", event_id)


class ClearingTask(Task):  # type: ignore[misc]
    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """A transient error after the last retry (a worker only: eagerly, the outbox keeps the event pending)."""
        if isinstance(exc, TRANSIENT) and not self.request.is_eager:
            _dead_letter(args[0] if args else kwargs.get("message"), task_id, exc, self.request.retries + 1)


@celery_app.task(name="farebridge.clear_event", base=ClearingTask, bind=True, acks_late=True,
                 acks_on_failure_or_timeout=False, autoretry_for=TRANSIENT, retry_backoff=True,
                 retry_backoff_max=60, max_retries=10)
def clear_event(self: ClearingTask, message: dict[str, Any]) -> str:
    try:
        return services.clear_event(get_runtime().uow(), message)
    except TRANSIENT:
        raise  # retried with backoff; after the last retry ``on_failure`` keeps it
    except Exception as error:  # a retry cannot fix it: keep it at once (also when run eagerly)
        _dead_letter(message, self.request.id, error, self.request.retries + 1)
        raise


@celery_app.task(name="farebridge.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    return relay(get_runtime().session_factory)


def relay(session_factory: Any) -> int:
    """Publish pending outbox events: with a broker, a batch at a time with one confirmation; eagerly, one by one."""
    if celery_app.conf.task_always_eager:
        return relay_pending(session_factory, publish_event)
    return relay_pending_batch(session_factory, publish_events)


def publish_events(messages: list[EventMessage]) -> None:
    """Hand many events to RabbitMQ in one AMQP transaction: ``tx.commit`` is the one confirmation for all.

    The app's connections confirm each message (``confirm_publish``), a round
    trip per event; this connection publishes without waiting and commits
    once. If the commit fails, RabbitMQ drops the whole batch and it is
    published again (``relay_pending_batch``). The messages are the task
    messages ``clear_event.apply_async`` sends (Celery's own ``as_task_v2``),
    published straight through kombu: ``apply_async`` costs about 2 ms per
    message here, this about a third of that.
    """
    from kombu import Connection, Producer

    from clearing.worker import clearing_queues

    main, dead = clearing_queues(get_runtime().settings.clearing_queue)
    with Connection(celery_app.conf.broker_url, connect_timeout=3) as connection:
        channel = connection.channel()
        dead.bind(channel).declare()
        main.bind(channel).declare()
        channel.tx_select()
        producer = Producer(channel, exchange=main.exchange, routing_key=main.routing_key, serializer="json")
        for message in messages:
            task = celery_app.amqp.as_task_v2(str(message["id"]), clear_event.name, args=[message])
            producer.publish(task.body, headers=task.headers, delivery_mode=2, **task.properties)
        channel.tx_commit()


def publish_event(message: EventMessage) -> None:
    """Hand an outbox event to the broker (or, eagerly, to the clearing task itself).

    Run eagerly, an event that failed into the dead-letter store counts as
    delivered: it is kept there, and it no longer holds up the events behind it.
    """
    try:
        clear_event.apply_async(
            args=[message],
            queue=get_runtime().settings.clearing_queue,
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
        )
    except Exception:
        if celery_app.conf.task_always_eager and dead_letters.is_dead(get_runtime().session_factory,
                                                                      str(message.get("id"))):
            log.warning("event_id=%s went to the dead letters", message.get("id"))
            return
        raise
