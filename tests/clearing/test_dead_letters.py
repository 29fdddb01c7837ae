"""Dead letters: a poison event is kept with its error, replayed once fixed, and replaying changes nothing."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from kombu import Connection, Consumer
from sqlalchemy import func, select

from clearing.dead_letters import DeadLetter, dead_letters, replay
from clearing.ledger import balances
from clearing.ledger_chain import verify_ledger
from clearing.models import ClearingRecord, LedgerTransaction
from clearing.refunds import SaleNotClearedYet
from clearing.tasks import clear_event, publish_event
from clearing.worker import clearing_queues
from core.db import new_id
from core.outbox import OutboxEvent, add_event, relay_pending
from operators.models import Operator
from tests.clearing.test_clearing_service import sale_event
from tests.conftest import AMQP_URL, service_missing
from webapp.cli import main

LATER = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def letters(runtime) -> list[DeadLetter]:
    with runtime.session_factory() as session:
        return dead_letters(session, include_resolved=True)


def counts(runtime) -> tuple[int, int]:
    with runtime.session_factory() as session:
        return (session.scalar(select(func.count()).select_from(ClearingRecord)) or 0,
                session.scalar(select(func.count()).select_from(LedgerTransaction)) or 0)


def test_a_malformed_event_goes_to_the_dead_letters_at_once_with_its_error(demo):
    poison = {"id": new_id(), "type": "SalePaid", "created_at": LATER.isoformat(), "payload": {"sale_id": "s1"}}
    with pytest.raises(KeyError):
        clear_event.apply(args=[poison])
    [letter] = letters(demo)
    assert (letter.event_id, letter.event_type, letter.attempts) == (poison["id"], "SalePaid", 1)
    assert letter.error == "KeyError: 'amount_minor'"
    assert letter.payload == poison and letter.resolved_at is None
    assert letter.first_failed_at == letter.last_failed_at


def test_a_transient_error_is_dead_lettered_only_after_the_last_retry_of_a_worker(demo):
    event = sale_event(500, [("RBA", 500)])
    clear_event.push_request(retries=10, is_eager=False)
    try:
        clear_event.on_failure(SaleNotClearedYet("s9"), "task-1", [event], {}, None)
    finally:
        clear_event.pop_request()
    [letter] = letters(demo)
    assert (letter.event_id, letter.attempts) == (event["id"], 11)
    assert letter.error == "SaleNotClearedYet: the refunded sale s9 is not cleared yet; the refund is cleared after it"


def test_run_in_process_a_transient_error_stays_in_the_outbox_not_in_the_dead_letters(demo):
    event = sale_event(500, [("RBA", 500)])
    clear_event.push_request(retries=10, is_eager=True)
    try:
        clear_event.on_failure(SaleNotClearedYet("s9"), "task-1", [event], {}, None)
    finally:
        clear_event.pop_request()
    assert letters(demo) == []


def test_a_message_without_an_id_is_kept_under_its_task_id(demo):
    with pytest.raises(AttributeError):
        clear_event.apply(args=[["not", "an", "event"]], task_id="6f1c0000-0000-0000-0000-000000000001")
    [letter] = letters(demo)
    assert (letter.event_id, letter.event_type) == ("task:6f1c0000-0000-0000-0000-000000000001", None)
    assert letter.payload == ["not", "an", "event"]


def test_replay_after_the_fix_clears_the_event_once_and_resolves_it(demo):
    event = sale_event(900, [("RBA", 450), ("NEW", 450)])  # an operator that is not onboarded yet
    with pytest.raises(Exception):  # noqa: B017 - the database's integrity error differs by backend
        clear_event.apply(args=[event])
    assert [letter.event_id for letter in letters(demo)] == [event["id"]]
    assert counts(demo) == (0, 0)

    failed = replay(demo.session_factory, [event["id"]])
    assert [r.outcome for r in failed] == ["failed"]
    assert letters(demo)[0].attempts == 2 and letters(demo)[0].resolved_at is None

    with demo.session_factory() as session:
        session.add(Operator(id="NEW", name="New Ferry Co", mode="ferry"))
        session.commit()
    assert [(r.event_id, r.outcome) for r in replay(demo.session_factory, now=LATER)] == [(event["id"], "cleared")]
    [letter] = letters(demo)
    assert letter.resolved_at == LATER
    assert counts(demo) == (1, 1)
    with demo.session_factory() as session:
        assert balances(session)["operator_payable:NEW:EUR"] == -450
        assert verify_ledger(session).ok


def test_replaying_a_cleared_event_changes_nothing(demo):
    event = sale_event(710, [("SWA", 290), ("RBA", 590), ("BVB", 290)])
    with pytest.raises(KeyError):
        clear_event.apply(args=[{**event, "payload": {**event["payload"], "legs": [{"operator_id": "RBA"}]}}])
    with demo.session_factory() as session:  # the fixed message: as if the producer's bug was patched
        session.scalars(select(DeadLetter)).one().payload = event
        session.commit()
    assert [r.outcome for r in replay(demo.session_factory)] == ["cleared"]
    with demo.session_factory() as session:
        before = (counts(demo), balances(session))
    assert [r.outcome for r in replay(demo.session_factory, [event["id"]])] == ["duplicate"]
    assert replay(demo.session_factory) == []  # nothing unresolved is left
    with demo.session_factory() as session:
        assert (counts(demo), balances(session)) == before
    assert before[0] == (1, 1)


def test_in_process_a_poison_event_no_longer_holds_up_the_outbox(demo):
    with demo.session_factory() as session:
        poison = add_event(session, "SalePaid", {"sale_id": "broken"}, now=LATER)
        good = add_event(session, "SalePaid", sale_event(500, [("RBA", 500)])["payload"],
                         now=LATER.replace(minute=1))
        session.commit()
    assert relay_pending(demo.session_factory, publish_event) == 3  # with the demo wallet's top-up
    assert [letter.event_id for letter in letters(demo)] == [poison.id]
    with demo.session_factory() as session:
        assert session.scalars(select(ClearingRecord.event_id).where(ClearingRecord.event_id == good.id)).one()
        assert session.scalar(select(func.count()).select_from(OutboxEvent)
                              .where(OutboxEvent.published_at.is_(None))) == 0


def test_the_cli_lists_and_replays_dead_letters(demo, settings):
    poison = {"id": new_id(), "type": "WalletToppedUp", "payload": {"top_up_id": "x"}}
    with pytest.raises(KeyError):
        clear_event.apply(args=[poison])
    env = {"FAREBRIDGE_DATABASE_URL": settings.database_url, "FAREBRIDGE_INSTANCE_DIR": str(settings.instance_dir),
           "FAREBRIDGE_BROKER_URL": ""}
    runner = CliRunner()
    listed = runner.invoke(main, ["clearing", "dead-letters"], env=env)
    assert listed.exit_code == 0
    assert f"{poison['id']}  WalletToppedUp  attempts=1" in listed.output
    assert "open  KeyError: 'amount_minor'" in listed.output and "1 dead letter(s)" in listed.output
    assert runner.invoke(main, ["clearing", "replay"], env=env).exit_code == 2
    again = runner.invoke(main, ["clearing", "replay", "--all"], env=env)
    assert again.exit_code == 1
    assert "replayed 1 dead letter(s), 1 failed" in again.output
    unknown = runner.invoke(main, ["clearing", "replay", "--event", "nope"], env=env)
    assert (unknown.exit_code, "no dead letter for event(s) nope" in unknown.output) == (1, True)


def test_the_clearing_queue_dead_letters_into_its_own_queue():
    main_queue, dead = clearing_queues("farebridge.clearing")
    assert main_queue.queue_arguments == {"x-dead-letter-exchange": "farebridge.clearing.dead-letter",
                                          "x-dead-letter-routing-key": "farebridge.clearing"}
    assert (dead.name, dead.exchange.name, dead.routing_key) == ("farebridge.clearing.dead",
                                                                 "farebridge.clearing.dead-letter",
                                                                 "farebridge.clearing")


def test_rabbitmq_keeps_a_rejected_clearing_message_in_the_dead_letter_queue():
    name = f"farebridge.test.dlx.{uuid.uuid4().hex[:8]}"
    try:
        connection = Connection(AMQP_URL, connect_timeout=3)
        connection.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001
        service_missing("RabbitMQ", exc)
    main_queue, dead = clearing_queues(name)
    with connection:
        channel = connection.default_channel
        try:
            main_queue.bind(channel).declare()
            dead.bind(channel).declare()
            connection.Producer().publish({"id": "e1"}, exchange=main_queue.exchange, routing_key=name,
                                          serializer="json")
            received: list[dict[str, str]] = []

            def reject(body, message):  # type: ignore[no-untyped-def]
                received.append(body)
                message.reject(requeue=False)

            with Consumer(channel, [main_queue], callbacks=[reject], accept=["json"]):
                connection.drain_events(timeout=5)
            kept = dead.bind(channel).get(no_ack=True, accept=["json"])
            assert received == [{"id": "e1"}]
            assert kept is not None and kept.payload == {"id": "e1"}
        finally:
            channel.queue_delete(name)
            channel.queue_delete(dead.name)
            channel.exchange_delete(main_queue.exchange.name)
            channel.exchange_delete(dead.exchange.name)
