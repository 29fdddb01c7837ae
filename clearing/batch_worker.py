"""The clearing worker: a kombu consumer that books what RabbitMQ delivers in batches.

One event per database transaction kept a worker at a few dozen sales a
second. This consumer lets RabbitMQ deliver up to ``batch_size`` messages
unacknowledged (``basic.qos`` prefetch), collects them until the batch is full
or ``batch_wait_s`` passed since the first one arrived, clears them with
``clearing.batches.clear_messages`` (the sales in one transaction) and only
then acknowledges each. A worker killed before the commit loses nothing
(RabbitMQ redelivers every unacknowledged message); killed between the commit
and the acks, the redelivered events are found cleared by id and change
nothing. Kombu also reconnects after a broker outage (``ConsumerMixin``).

The messages are the Celery task messages ``farebridge.clear_event`` that the
outbox relay publishes (clearing/tasks.py, protocol 2: body ``[args, kwargs,
embed]``), so publishers and the queue with its dead-letter exchange stay as
they were, and a Celery worker can still consume the same queue. A
``farebridge.relay_outbox`` message (from an older beat) runs the relay.

Failures: a transient one (database unavailable, a refund ahead of its sale)
keeps the message unacknowledged and tries it again after a backoff
(0.5 s doubling to 30 s, ``MAX_ATTEMPTS`` times); then, or at once for any
other error, the event goes to the dead-letter store and the message is
rejected without requeue, so RabbitMQ's dead-letter queue keeps a copy too.

The worker also relays the outbox every ``RELAY_INTERVAL_S`` in its own loop
(no scheduler process that could outlive it), a batch of events per broker
confirmation (``clearing.tasks.relay``); several relays are safe (``SKIP LOCKED``).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kombu import Connection, Consumer, Message
from kombu.mixins import ConsumerMixin

from clearing import dead_letters
from clearing.batches import FAILED, RETRY, clear_messages
from clearing.worker import RELAY_INTERVAL_S, clearing_queues
from core.runtime import Runtime

log = logging.getLogger(__name__)

CLEAR_TASK, RELAY_TASK = "farebridge.clear_event", "farebridge.relay_outbox"
MAX_ATTEMPTS = 10
BACKOFF_START_S, BACKOFF_MAX_S = 0.5, 30.0


@dataclass(slots=True)
class _Held:
    """A delivered message not acknowledged yet."""

    message: Message
    event: dict[str, Any]
    attempts: int = 0
    not_before: float = 0.0


def event_of(body: Any, headers: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    """The task name and the event of a Celery task message (protocol 2), or of a bare event."""
    task = headers.get("task")
    if isinstance(body, list | tuple) and len(body) == 3 and isinstance(body[0], list | tuple):
        args, kwargs = body[0], body[1] or {}
        event = args[0] if args else kwargs.get("message")
        return task, event if isinstance(event, dict) else None
    if isinstance(body, dict) and "id" in body and "type" in body:
        return task or CLEAR_TASK, body
    return task, None


@dataclass
class BatchClearingWorker(ConsumerMixin):  # type: ignore[misc]
    connection: Connection
    runtime: Runtime
    batch_size: int = 500
    batch_wait_s: float = 0.02
    relay: Callable[[], int] | None = None
    batches: int = 0
    cleared: int = 0
    _buffer: list[_Held] = field(default_factory=list)
    _retrying: list[_Held] = field(default_factory=list)
    _first_at: float = 0.0
    _relayed_at: float = 0.0

    def get_consumers(self, consumer_class: type[Consumer], channel: Any) -> list[Consumer]:
        main, dead = clearing_queues(self.runtime.settings.clearing_queue)
        dead.bind(channel).declare()  # the broker can only dead-letter into a queue that exists
        return [consumer_class(queues=[main], callbacks=[self.on_message], accept=["json"],
                               prefetch_count=self.batch_size)]

    def on_consume_ready(self, connection: Connection, channel: Any, consumers: list[Consumer], **_kw: Any) -> None:
        """(Re)connected: messages held from a lost channel cannot be acknowledged; RabbitMQ redelivers them."""
        self._buffer.clear()
        self._retrying.clear()
        log.info("clearing worker ready: queue=%s batch_size=%d wait_ms=%d", self.runtime.settings.clearing_queue,
                 self.batch_size, round(self.batch_wait_s * 1000))

    def on_message(self, body: Any, message: Message) -> None:
        task, event = event_of(body, message.headers or {})
        if task == RELAY_TASK:
            message.ack()
            self._relay(force=True)
            return
        if task != CLEAR_TASK or event is None or "id" not in event:
            log.error("clearing worker rejects a message it cannot read: task=%s", task)
            message.reject(requeue=False)
            return
        if not self._buffer:
            self._first_at = time.monotonic()
        self._buffer.append(_Held(message, event))
        if len(self._buffer) >= self.batch_size:
            self.flush()

    def on_iteration(self) -> None:
        now = time.monotonic()
        if self._buffer and now - self._first_at >= self.batch_wait_s:
            self.flush()
        due = [held for held in self._retrying if held.not_before <= now]
        if due:
            self._retrying = [held for held in self._retrying if held.not_before > now]
            self._clear(due)
        self._relay()

    def flush(self) -> None:
        batch, self._buffer = self._buffer, []
        if batch:
            self._clear(batch)

    def _clear(self, batch: list[_Held]) -> None:
        outcomes = clear_messages(self.runtime.uow, [held.event for held in batch])
        self.batches += 1
        for held, outcome in zip(batch, outcomes, strict=True):
            if outcome.status == RETRY and held.attempts + 1 < MAX_ATTEMPTS:
                held.attempts += 1
                held.not_before = time.monotonic() + min(BACKOFF_MAX_S, BACKOFF_START_S * 2 ** (held.attempts - 1))
                self._retrying.append(held)
            elif outcome.status in (RETRY, FAILED):
                self._dead_letter(held, outcome.error)
            else:
                self.cleared += 1
                held.message.ack()

    def _dead_letter(self, held: _Held, error: BaseException | None) -> None:
        event_id = str(held.event.get("id"))
        try:
            dead_letters.store(self.runtime.session_factory, event_id, held.event,
                               error or RuntimeError("unknown error"), held.attempts + 1)
        except Exception:  # noqa: BLE001 - the database may be what failed: RabbitMQ's dead-letter queue has it
            log.exception("could not store the dead letter of event_id=%s", event_id)
        held.message.reject(requeue=False)

    def _relay(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.relay is None or (not force and now - self._relayed_at < RELAY_INTERVAL_S):
            return
        self._relayed_at = now
        try:
            count = self.relay()
            if count:
                log.info("relayed %d outbox event(s)", count)
        except Exception:  # noqa: BLE001 - the relay tries again next time
            log.exception("outbox relay failed")


def run_worker(runtime: Runtime, relay: bool = True) -> None:
    """Consume the clearing queue until interrupted (``farebridge worker``)."""
    from clearing.tasks import relay as relay_outbox
    from clearing.worker import configure

    configure(runtime.settings)
    settings = runtime.settings
    with Connection(settings.broker_url, heartbeat=30) as connection:
        worker = BatchClearingWorker(
            connection, runtime, settings.clearing_batch_size, settings.clearing_batch_wait_ms / 1000,
            (lambda: relay_outbox(runtime.session_factory)) if relay else None)
        worker.run(safety_interval=max(0.001, settings.clearing_batch_wait_ms / 1000))
