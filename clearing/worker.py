"""The Celery application. Without a broker URL it runs tasks eagerly, in-process.

The clearing queue dead-letters to ``{queue}.dead`` (exchange ``{queue}.dead-letter``):
a message the task rejects (its last failure, see clearing/tasks.py) is kept by
RabbitMQ there too. RabbitMQ refuses to redeclare an existing queue with other
arguments: a queue created before this change must be deleted (drained) once.
"""
from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import worker_ready
from kombu import Exchange, Queue

from core.config import Settings

RELAY_INTERVAL_S = 2.0
PREFETCH_MULTIPLIER = 4
"""Unacknowledged messages a worker process may hold (``acks_late``: each is acked after its task).

With 1, a solo-pool worker stalled 1.5-2 s every few tasks: kombu's event loop
(``Hub.create_loop``, kombu 5.7) runs the callbacks scheduled with
``call_soon`` only at the top of an iteration, so when a message was read by
the reader's ``call_soon`` continuation, the ack that the task scheduled in turn
waited for the next poll to time out (the next timer, up to 2 s), and with
prefetch 1 the broker sends nothing before that ack. With more messages in
flight the socket stays readable, the poll returns at once and the ack goes
out. Safe because ``clear_event`` is idempotent by event id: a worker that dies
gets up to this many messages redelivered, and they change nothing twice.
"""


def clearing_queues(name: str) -> tuple[Queue, Queue]:
    """The clearing queue and its dead-letter queue."""
    dead_exchange = Exchange(f"{name}.dead-letter", type="direct", durable=True)
    dead = Queue(f"{name}.dead", dead_exchange, routing_key=name, durable=True)
    main = Queue(name, Exchange(name, type="direct", durable=True), routing_key=name, durable=True,
                 queue_arguments={"x-dead-letter-exchange": dead_exchange.name, "x-dead-letter-routing-key": name})
    return main, dead


def make_celery(settings: Settings) -> Celery:
    app = Celery("farebridge", broker=settings.broker_url or "memory://localhost/", include=["clearing.tasks"])
    app.conf.update(
        task_always_eager=settings.eager,
        task_eager_propagates=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=PREFETCH_MULTIPLIER,
        task_default_queue=settings.clearing_queue,
        task_queues=clearing_queues(settings.clearing_queue),
        task_serializer="json",
        accept_content=["json"],
        result_backend=None,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        broker_transport_options={"confirm_publish": True},
        worker_hijack_root_logger=False,
        beat_schedule={"relay-outbox": {"task": "farebridge.relay_outbox", "schedule": RELAY_INTERVAL_S}},
    )
    return app


celery_app = make_celery(Settings.from_env())


def configure(settings: Settings) -> Celery:
    """Point the shared app at other settings (the web app and tests call this)."""
    fresh = make_celery(settings)
    celery_app.conf.update(fresh.conf)
    celery_app.conf.broker_url = settings.broker_url or "memory://localhost/"
    return celery_app


@worker_ready.connect
def declare_dead_letter_queue(sender: Any = None, **_kwargs: Any) -> None:
    """The worker declares only the queue it consumes; the dead-letter queue must exist for the broker to keep."""
    with celery_app.connection_for_write() as connection:
        for queue in celery_app.conf.task_queues:
            queue.bind(connection.default_channel).declare()
