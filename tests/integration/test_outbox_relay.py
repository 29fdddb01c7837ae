"""The outbox relay publishes a batch of events with one confirmation (an AMQP transaction), on RabbitMQ."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from kombu import Connection
from sqlalchemy import func, select

from clearing.batch_worker import event_of
from clearing.tasks import publish_events, relay
from clearing.worker import clearing_queues, configure
from core.outbox import OutboxEvent, add_event, relay_pending_batch
from core.runtime import Runtime, set_runtime
from tests.conftest import make_settings
from tests.integration.test_end_to_end_rabbitmq import broker  # noqa: F401

pytestmark = [pytest.mark.rabbitmq]


@pytest.fixture
def on_rabbitmq(tmp_path: Path, db_url: str, broker: str):  # noqa: F811
    queue = f"farebridge.test.{uuid.uuid4().hex[:8]}"
    settings = make_settings(tmp_path, db_url, FAREBRIDGE_BROKER_URL=broker, FAREBRIDGE_CLEARING_QUEUE=queue)
    runtime = Runtime.from_settings(settings)
    set_runtime(runtime)
    configure(settings)
    try:
        yield runtime
    finally:
        with Connection(broker) as connection:
            channel = connection.channel()
            for name in (queue, f"{queue}.dead"):
                channel.queue_delete(name)
            channel.exchange_delete(f"{queue}.dead-letter")
        set_runtime(None)
        configure(make_settings(tmp_path, db_url))
        runtime.engine.dispose()


def add_events(runtime: Runtime, count: int) -> list[str]:
    with runtime.session_factory() as session:
        ids = [add_event(session, "WalletToppedUp", {"n": n}).id for n in range(count)]
        session.commit()
    return ids


def queued(runtime: Runtime) -> list[dict]:
    main, _dead = clearing_queues(runtime.settings.clearing_queue)
    events = []
    with Connection(runtime.settings.broker_url) as connection:
        bound = main(connection.channel())
        while (message := bound.get(no_ack=True, accept=["json"])) is not None:
            events.append(event_of(message.decode(), message.headers)[1])
    return events


def test_a_batch_of_events_is_published_marked_and_queued_once(on_rabbitmq):
    ids = add_events(on_rabbitmq, 7)
    assert relay(on_rabbitmq.session_factory) == 7
    assert relay(on_rabbitmq.session_factory) == 0
    with on_rabbitmq.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEvent)
                              .where(OutboxEvent.published_at.is_(None))) == 0
        assert set(session.scalars(select(OutboxEvent.publish_attempts))) == {1}
    assert sorted(event["id"] for event in queued(on_rabbitmq)) == sorted(ids)


def test_a_failed_batch_marks_none_published_and_is_published_again(on_rabbitmq):
    add_events(on_rabbitmq, 3)

    def broker_down(_messages):
        raise ConnectionError("broker unreachable")

    assert relay_pending_batch(on_rabbitmq.session_factory, broker_down) == 0
    with on_rabbitmq.session_factory() as session:
        rows = session.execute(select(OutboxEvent.published_at, OutboxEvent.publish_attempts,
                                      OutboxEvent.last_error)).all()
    assert rows == [(None, 1, "broker unreachable")] * 3
    assert relay_pending_batch(on_rabbitmq.session_factory, publish_events) == 3
    assert len(queued(on_rabbitmq)) == 3
