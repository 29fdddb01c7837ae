"""The ledger's hash chain, its immutability and reversals, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from clearing.ledger import Line, balances, ledger_total, post, psp_receivable, reverse_transaction, wallet_liability
from clearing.ledger_chain import GENESIS, chain_hash, seal_existing, verify_ledger
from clearing.models import LedgerEntry, LedgerHead, LedgerIsAppendOnly, LedgerTransaction
from core.errors import Conflict, NotFound
from webapp.cli import main

AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def book(runtime, reference: str, amount: int, at: datetime = AT) -> None:
    with runtime.session_factory() as session:
        card, wallet = psp_receivable(session, "EUR"), wallet_liability(session, "EUR")
        post(session, reference, f"top-up {reference}", at, [Line(card, amount), Line(wallet, -amount)])
        session.commit()


def book_three(runtime) -> None:
    for number, amount in ((1, 500), (2, 710), (3, 290)):
        book(runtime, f"t{number}", amount, AT + timedelta(minutes=number))


def verify(runtime):
    with runtime.session_factory() as session:
        return verify_ledger(session)


def without_ledger_triggers(conn) -> None:
    """On PostgreSQL, switch off the append-only triggers (migration 0002) for this transaction.

    What someone with superuser access could do; ``verify_ledger`` must still catch what follows.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL session_replication_role = replica"))


def tamper(runtime, *statements: str) -> None:
    """Raw SQL beside the application, as someone with database superuser access would."""
    with runtime.engine.begin() as conn:
        without_ledger_triggers(conn)
        for statement in statements:
            conn.execute(text(statement))


def test_transactions_are_numbered_without_gaps_and_chained_by_sha256(runtime):
    book_three(runtime)
    with runtime.session_factory() as session:
        rows = session.execute(select(LedgerTransaction.sequence, LedgerTransaction.hash)
                               .order_by(LedgerTransaction.sequence)).all()
        head = session.get(LedgerHead, 1)
    assert [sequence for sequence, _ in rows] == [1, 2, 3]
    first = chain_hash(GENESIS, 1, "t1", AT + timedelta(minutes=1),
                       [("wallet_liability:EUR", -500, "EUR"), ("psp_receivable:EUR", 500, "EUR")])
    assert rows[0][1] == first and len(first) == 64
    assert rows[1][1] == chain_hash(first, 2, "t2", AT + timedelta(minutes=2),
                                    [("psp_receivable:EUR", 710, "EUR"), ("wallet_liability:EUR", -710, "EUR")])
    assert (head.sequence, head.hash) == (3, rows[2][1])
    assert verify(runtime) == verify(runtime).__class__(True, 3, None, None)


def test_the_hash_depends_on_every_sealed_field():
    entries = [("a", 5, "EUR"), ("b", -5, "EUR")]
    base = chain_hash(GENESIS, 1, "r", AT, entries)
    assert chain_hash(GENESIS, 1, "r", AT, list(reversed(entries))) == base  # canonical order
    assert chain_hash(GENESIS, 1, "r", AT.astimezone(UTC).replace(tzinfo=UTC), entries) == base
    variants = [chain_hash("1" * 64, 1, "r", AT, entries), chain_hash(GENESIS, 2, "r", AT, entries),
                chain_hash(GENESIS, 1, "s", AT, entries), chain_hash(GENESIS, 1, "r", AT + timedelta(microseconds=1),
                                                                   entries),
                chain_hash(GENESIS, 1, "r", AT, [("a", 6, "EUR"), ("b", -6, "EUR")]),
                chain_hash(GENESIS, 1, "r", AT, [("a", 5, "USD"), ("b", -5, "USD")])]
    assert len({base, *variants}) == 7


def test_a_changed_amount_is_detected_at_its_transaction(runtime):
    book_three(runtime)
    tamper(runtime, "UPDATE ledger_entries SET amount_minor = 7100 WHERE amount_minor = 710")
    result = verify(runtime)
    assert (result.ok, result.first_bad_sequence, result.transactions) == (False, 2, 3)
    assert "t2" in result.reason and "does not balance" in result.reason


def test_a_changed_amount_that_still_balances_breaks_the_hash(runtime):
    book_three(runtime)
    tamper(runtime, "UPDATE ledger_entries SET amount_minor = 700 WHERE amount_minor = 710",
           "UPDATE ledger_entries SET amount_minor = -700 WHERE amount_minor = -710")
    result = verify(runtime)
    assert (result.ok, result.first_bad_sequence) == (False, 2)
    assert "does not match its hash" in result.reason


def test_a_deleted_transaction_is_detected(runtime):
    book_three(runtime)
    tamper(runtime, "DELETE FROM ledger_entries WHERE transaction_id = (SELECT id FROM ledger_transactions "
                    "WHERE reference = 't2')",
           "DELETE FROM ledger_transactions WHERE reference = 't2'")
    result = verify(runtime)
    assert (result.ok, result.first_bad_sequence, result.transactions) == (False, 2, 2)
    assert result.reason == "transaction 2 is missing (the next one is 3)"


def test_a_deleted_newest_transaction_is_detected_by_the_head(runtime):
    book_three(runtime)
    tamper(runtime, "DELETE FROM ledger_entries WHERE transaction_id = (SELECT id FROM ledger_transactions "
                    "WHERE reference = 't3')",
           "DELETE FROM ledger_transactions WHERE reference = 't3'")
    result = verify(runtime)
    assert (result.ok, result.first_bad_sequence) == (False, 3)
    assert "the head says 3 transactions, the ledger has 2" in result.reason


def test_reordered_transactions_are_detected(runtime):
    book_three(runtime)
    tamper(runtime, "UPDATE ledger_transactions SET sequence = 100 WHERE sequence = 1",
           "UPDATE ledger_transactions SET sequence = 1 WHERE sequence = 2",
           "UPDATE ledger_transactions SET sequence = 2 WHERE sequence = 100")
    result = verify(runtime)
    assert (result.ok, result.first_bad_sequence) == (False, 1)
    assert "t2" in result.reason and "out of order" in result.reason


def test_the_application_cannot_update_or_delete_ledger_rows(runtime):
    book(runtime, "t1", 500)
    with runtime.session_factory() as session:
        entry = session.scalars(select(LedgerEntry)).first()
        entry.amount_minor = 1
        with pytest.raises(LedgerIsAppendOnly):
            session.flush()
        session.rollback()
        session.delete(session.scalars(select(LedgerTransaction)).one())
        with pytest.raises(LedgerIsAppendOnly):
            session.flush()
        session.rollback()
        with pytest.raises(LedgerIsAppendOnly):
            session.execute(update(LedgerEntry).values(amount_minor=0))
        with pytest.raises(LedgerIsAppendOnly):
            session.execute(delete(LedgerTransaction))
    assert verify(runtime).ok


@pytest.mark.parametrize("statement", [
    "UPDATE ledger_entries SET amount_minor = 7100 WHERE amount_minor = 710",
    "DELETE FROM ledger_entries WHERE amount_minor = 710",
    "UPDATE ledger_transactions SET reference = 'forged' WHERE sequence = 2",
    "DELETE FROM ledger_transactions WHERE sequence = 3",
])
def test_postgresql_refuses_raw_sql_that_changes_ledger_rows(runtime, settings, statement):
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has the ORM guard only (migration 0002 adds triggers on PostgreSQL)")
    book_three(runtime)
    with pytest.raises(DBAPIError, match="ledger rows are append-only"), runtime.engine.begin() as conn:
        conn.execute(text(statement))
    env = {"FAREBRIDGE_DATABASE_URL": settings.database_url, "FAREBRIDGE_INSTANCE_DIR": str(settings.instance_dir),
           "FAREBRIDGE_BROKER_URL": ""}
    result = CliRunner().invoke(main, ["ledger", "verify"], env=env)
    assert (result.exit_code, result.output.split(":")[0]) == (0, "ledger ok")
    with runtime.session_factory() as session:  # the ledger still grows, and corrections are reversals
        reverse_transaction(session, "t2", "booked twice", now=AT + timedelta(hours=1))
        session.commit()
    assert verify(runtime).ok and verify(runtime).transactions == 4


def test_a_reversal_posts_the_negated_entries_and_keeps_the_original(runtime):
    book_three(runtime)
    with runtime.session_factory() as session:
        reversal = reverse_transaction(session, "t2", "booked twice", now=AT + timedelta(hours=1))
        session.commit()
        original = session.scalars(select(LedgerTransaction).where(LedgerTransaction.reference == "t2")).one()
        assert (reversal.reference, reversal.sequence, reversal.reverses_id) == ("reversal:t2", 4, original.id)
        assert reversal.description == "Reversal of t2: booked twice"
        amounts = sorted(session.scalars(select(LedgerEntry.amount_minor)
                                         .where(LedgerEntry.transaction_id == reversal.id)))
        assert amounts == [-710, 710]
        assert balances(session)["psp_receivable:EUR"] == 500 + 290
        assert ledger_total(session) == 0
        with pytest.raises(Conflict, match="already reversed"):
            reverse_transaction(session, "t2", "again")
        with pytest.raises(NotFound):
            reverse_transaction(session, "nope", "unknown")
    assert verify(runtime).ok and verify(runtime).transactions == 4


def test_concurrent_writers_take_turns_on_the_chain_head(runtime):
    book(runtime, "warm-up", 1)  # accounts and head exist: the threads only contend for the head
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def writer(number: int) -> None:
        try:
            start.wait()
            for item in range(8):
                book(runtime, f"w{number}-{item}", 100 + number)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with runtime.session_factory() as session:
        sequences = list(session.scalars(select(LedgerTransaction.sequence).order_by(LedgerTransaction.sequence)))
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 2 * 49
    assert sequences == list(range(1, 50))
    assert verify(runtime) == verify(runtime).__class__(True, 49, None, None)


def test_the_ledger_verify_command_exits_1_on_tampering(runtime, settings):
    book_three(runtime)
    env = {"FAREBRIDGE_DATABASE_URL": settings.database_url, "FAREBRIDGE_INSTANCE_DIR": str(settings.instance_dir),
           "FAREBRIDGE_BROKER_URL": ""}
    ok = CliRunner().invoke(main, ["ledger", "verify"], env=env)
    assert (ok.exit_code, ok.output.strip()) == (0, "ledger ok: 3 transaction(s), hash chain intact, every one "
                                                    "balanced")
    tamper(runtime, "UPDATE ledger_transactions SET reference = 'forged' WHERE sequence = 3")
    bad = CliRunner().invoke(main, ["ledger", "verify"], env=env)
    assert bad.exit_code == 1
    assert "ledger TAMPERED: transaction 3 (forged) does not match its hash" in bad.output
    assert "first bad sequence: 3 of 3" in bad.output


def test_the_migration_helper_seals_a_ledger_booked_before_the_chain(runtime):
    book_three(runtime)
    with runtime.session_factory() as session:
        sealed = list(session.scalars(select(LedgerTransaction.hash).order_by(LedgerTransaction.id)))
    tamper(runtime, "UPDATE ledger_transactions SET sequence = id + 100, hash = ''", "DELETE FROM ledger_head")
    assert verify(runtime).ok is False
    with runtime.engine.begin() as connection:
        without_ledger_triggers(connection)  # as a migration adding the chain would run before 0002
        assert seal_existing(connection) == 3
    with runtime.session_factory() as session:
        rows = session.execute(select(LedgerTransaction.sequence, LedgerTransaction.hash)
                               .order_by(LedgerTransaction.id)).all()
    assert rows == [(1, sealed[0]), (2, sealed[1]), (3, sealed[2])]
    assert verify(runtime).ok
