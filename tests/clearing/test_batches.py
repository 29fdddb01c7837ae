"""Batches of delivered events: the sales in one transaction, the same books as one by one, each event once."""
from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kombu import Connection, Exchange, Producer, Queue
from sqlalchemy import func, select

from clearing import batch_worker, services
from clearing.batch_worker import BatchClearingWorker, event_of
from clearing.batches import FAILED, RETRY, clear_messages
from clearing.dead_letters import dead_letters
from clearing.ledger import ledger_total
from clearing.models import ClearingRecord
from clearing.worker import clearing_queues
from tests.clearing.test_bulk import books, sample_events, wipe_clearing
from tests.clearing.test_refund_clearing import refund_event


def test_a_batch_with_sales_a_refund_of_one_of_them_and_a_redelivery_books_each_event_once(demo):
    sales = sample_events(6, seed=21)
    refund = refund_event(sales[2], 1)
    outcomes = clear_messages(demo.uow, [refund, *sales])
    assert [o.status for o in outcomes] == [services.CLEARED] * 7  # the refund is cleared after the sales
    again = clear_messages(demo.uow, [*sales, refund])  # the whole batch redelivered after a crash
    assert [o.status for o in again] == [services.CLEARED] * 6 + [services.DUPLICATE]
    with demo.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ClearingRecord)) == 7
        assert ledger_total(session) == 0


def test_a_sale_that_cannot_be_cleared_fails_alone_and_the_rest_of_its_batch_is_cleared(demo):
    sales = sample_events(5, seed=22)
    broken = copy.deepcopy(sales[3])
    broken["payload"]["amount_minor"] = "seven"  # not an amount
    outcomes = clear_messages(demo.uow, [*sales[:3], broken, sales[4]])
    assert [o.status for o in outcomes] == [services.CLEARED] * 3 + [FAILED, services.CLEARED]
    with demo.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ClearingRecord)) == 4


def test_a_refund_whose_sale_is_not_cleared_yet_is_given_back_to_retry(demo):
    sale = sample_events(1, seed=23)[0]
    outcomes = clear_messages(demo.uow, [refund_event(sale, 1)])
    assert outcomes[0].status == RETRY


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), count=st.integers(1, 40), cuts=st.lists(st.integers(1, 40), max_size=4))
def test_clearing_in_batches_gives_the_same_ledger_as_clearing_the_events_one_by_one(demo, seed, count, cuts):
    events = sample_events(count, seed=seed)
    wipe_clearing(demo)
    for event in events:
        assert services.clear_event(demo.uow(), event) == services.CLEARED
    one_by_one = books(demo)
    wipe_clearing(demo)
    bounds = sorted({0, count, *(c for c in cuts if c < count)})
    for start, end in zip(bounds, bounds[1:], strict=False):
        assert all(o.status == services.CLEARED for o in clear_messages(demo.uow, events[start:end]))
    in_batches = books(demo)
    assert in_batches == one_by_one
    assert in_batches["verified"] is True and in_batches["total"] == 0


def task_message(event: dict[str, Any]) -> tuple[list[Any], dict[str, str]]:
    """What ``clear_event.apply_async(args=[event])`` puts on the queue (Celery protocol 2)."""
    return [[event], {}, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}], \
        {"task": batch_worker.CLEAR_TASK, "id": event["id"]}


def test_celery_task_messages_and_bare_events_are_read():
    event = sample_events(1)[0]
    assert event_of(*task_message(event)) == (batch_worker.CLEAR_TASK, event)
    assert event_of(event, {}) == (batch_worker.CLEAR_TASK, event)
    assert event_of("garbage", {"task": "x"}) == ("x", None)


def test_the_worker_clears_what_the_broker_delivers_in_batches_and_acknowledges_after_the_commit(demo, tmp_path):
    events = sample_events(23, seed=24)
    broken = copy.deepcopy(events[5])
    broken["payload"]["amount_minor"] = "seven"
    events[5] = broken
    queue_name = demo.settings.clearing_queue
    with Connection("memory://") as connection:
        main, _dead = clearing_queues(queue_name)
        producer = Producer(connection.channel(), exchange=Exchange(queue_name, type="direct"), routing_key=queue_name)
        main.bind(producer.channel).declare()
        for event in [*events, events[0]]:  # one redelivered
            body, headers = task_message(event)
            producer.publish(body, headers=headers, serializer="json", declare=[main])
        producer.publish({"not": "an event"}, headers={"task": "something.else"}, serializer="json")
        worker = BatchClearingWorker(connection, demo, batch_size=10, batch_wait_s=0.0)
        for _ in worker.consume(limit=25, timeout=5, safety_interval=0.05):
            pass
        worker.flush()
        assert worker.batches >= 3  # 24 messages of at most 10
        with connection.channel() as channel:
            assert Queue(queue_name, Exchange(queue_name), routing_key=queue_name)(channel).queue_declare(
                passive=True).message_count == 0
    with demo.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ClearingRecord)) == 22
        assert [letter.event_id for letter in dead_letters(session)] == [broken["id"]]
        assert ledger_total(session) == 0
