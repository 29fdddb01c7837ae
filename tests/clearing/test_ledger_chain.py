"""The ledger's hash chains, their immutability and reversals, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from clearing.ledger import Line, balances, ledger_total, post, psp_receivable, reverse_transaction, wallet_liability
from clearing.ledger_chain import CHAINS, GENESIS, LedgerVerification, chain_hash, genesis, seal_existing, verify_ledger
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
        chains = set(session.scalars(select(LedgerTransaction.chain)))
        heads = session.scalar(select(func.count()).select_from(LedgerHead))
    assert [sequence for sequence, _ in rows] == [1, 2, 3]
    assert chains == {1} and heads == CHAINS  # a lone writer seals into chain 1; every head exists
    first = chain_hash(GENESIS, 1, "t1", AT + timedelta(minutes=1),
                       [("wallet_liability:EUR", -500, "EUR"), ("psp_receivable:EUR", 500, "EUR")])
    assert rows[0][1] == first and len(first) == 64
    assert rows[1][1] == chain_hash(first, 2, "t2", AT + timedelta(minutes=2),
                                    [("psp_receivable:EUR", 710, "EUR"), ("wallet_liability:EUR", -710, "EUR")])
    assert (head.sequence, head.hash) == (3, rows[2][1])
    assert verify(runtime) == LedgerVerification(True, 3, None, None, None, CHAINS)


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
    assert (result.ok, result.chain, result.first_bad_sequence, result.transactions) == (False, 1, 2, 2)
    assert result.reason == "chain 1: transaction 2 is missing (the next one is 3)"


def test_a_deleted_newest_transaction_is_detected_by_the_head(runtime):
    book_three(runtime)
    tamper(runtime, "DELETE FROM ledger_entries WHERE transaction_id = (SELECT id FROM ledger_transactions "
                    "WHERE reference = 't3')",
           "DELETE FROM ledger_transactions WHERE reference = 't3'")
    result = verify(runtime)
    assert (result.ok, result.first_bad_sequence) == (False, 3)
    assert "chain 1: the head says 3 transactions, the chain has 2" in result.reason


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
        assert (reversal.reference, reversal.chain, reversal.sequence, reversal.reverses_id) == (
            "reversal:t2", 1, 4, original.id)
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


def test_concurrent_writers_keep_every_chain_gapless_and_intact(runtime):
    book(runtime, "warm-up", 1)  # accounts and heads exist: the threads only contend for the heads
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
        rows = session.execute(select(LedgerTransaction.chain, LedgerTransaction.sequence)).all()
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 2 * 49
    per_chain: dict[int, list[int]] = {}
    for chain, sequence in rows:
        per_chain.setdefault(chain, []).append(sequence)
    assert all(sorted(sequences) == list(range(1, len(sequences) + 1)) for sequences in per_chain.values())
    assert sum(map(len, per_chain.values())) == 49
    if runtime.engine.dialect.name == "sqlite":
        assert set(per_chain) == {1}  # one writer at a time
    assert verify(runtime) == LedgerVerification(True, 49, None, None, None, CHAINS)


def test_the_ledger_verify_command_exits_1_on_tampering(runtime, settings):
    book_three(runtime)
    env = {"FAREBRIDGE_DATABASE_URL": settings.database_url, "FAREBRIDGE_INSTANCE_DIR": str(settings.instance_dir),
           "FAREBRIDGE_BROKER_URL": ""}
    ok = CliRunner().invoke(main, ["ledger", "verify"], env=env)
    assert (ok.exit_code, ok.output.strip()) == (0, "ledger ok: 3 transaction(s) in 16 hash chains, every chain "
                                                    "intact, every transaction balanced")
    tamper(runtime, "UPDATE ledger_transactions SET reference = 'forged' WHERE sequence = 3")
    bad = CliRunner().invoke(main, ["ledger", "verify"], env=env)
    assert bad.exit_code == 1
    assert "ledger TAMPERED: chain 1: transaction 3 (forged) does not match its hash" in bad.output
    assert "first bad: chain 1, sequence 3 (of 3 transaction(s) in 16 chains)" in bad.output


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
        assert session.scalar(select(func.count()).select_from(LedgerHead)) == CHAINS
    with runtime.session_factory() as session:
        rows = session.execute(select(LedgerTransaction.sequence, LedgerTransaction.hash)
                               .order_by(LedgerTransaction.id)).all()
    assert rows == [(1, sealed[0]), (2, sealed[1]), (3, sealed[2])]
    assert verify(runtime).ok


def book_in_two_chains(runtime) -> None:
    """t1..t3 in chain 1 and u1, u2 in chain 2: a second writer posts while the first holds chain 1's head.

    On SQLite (one writer at a time) the second chain is written as the migration helper's Core would.
    """
    book_three(runtime)
    if runtime.engine.dialect.name == "postgresql":
        with runtime.session_factory() as holder:
            card, wallet = psp_receivable(holder, "EUR"), wallet_liability(holder, "EUR")
            post(holder, "held", "holds chain 1", AT, [Line(card, 1), Line(wallet, -1)])
            book(runtime, "u1", 40, AT + timedelta(minutes=10))
            book(runtime, "u2", 60, AT + timedelta(minutes=11))
            holder.rollback()
        return
    previous = genesis(2)
    for sequence, (reference, amount) in enumerate((("u1", 40), ("u2", 60)), 1):
        at = AT + timedelta(minutes=9 + sequence)
        previous = chain_hash(previous, sequence, reference, at,
                              [("psp_receivable:EUR", amount, "EUR"), ("wallet_liability:EUR", -amount, "EUR")])
        with runtime.engine.begin() as conn:
            conn.execute(text("INSERT INTO ledger_transactions (reference, description, occurred_at, booked_at, "
                              "chain, sequence, hash) VALUES (:r, 'x', :at, :at, 2, :s, :h)"),
                         {"r": reference, "at": at.replace(tzinfo=None), "s": sequence, "h": previous})
            conn.execute(text("INSERT INTO ledger_entries (transaction_id, account_id, amount_minor, currency) "
                              "SELECT t.id, a.id, CASE WHEN a.code LIKE 'psp%' THEN :a ELSE -:a END, 'EUR' "
                              "FROM ledger_transactions t, ledger_accounts a WHERE t.reference = :r"),
                         {"a": amount, "r": reference})
            conn.execute(text("UPDATE ledger_head SET sequence = :s, hash = :h WHERE id = 2"),
                         {"s": sequence, "h": previous})


def test_a_second_writer_seals_into_another_chain_instead_of_waiting(runtime):
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    book(runtime, "warm-up", 1)
    with runtime.session_factory() as holder:
        card, wallet = psp_receivable(holder, "EUR"), wallet_liability(holder, "EUR")
        post(holder, "held", "holds chain 1 until the end of the test", AT, [Line(card, 1), Line(wallet, -1)])
        with runtime.session_factory() as other:
            other.execute(text("SET LOCAL lock_timeout = '5s'"))  # waiting on chain 1 would fail, not hang
            card, wallet = psp_receivable(other, "EUR"), wallet_liability(other, "EUR")
            second = post(other, "free", "a chain nobody holds", AT, [Line(card, 2), Line(wallet, -2)])
            assert (second.chain, second.sequence) == (2, 1)
            assert second.hash == chain_hash(genesis(2), 1, "free", AT, [("psp_receivable:EUR", 2, "EUR"),
                                                                         ("wallet_liability:EUR", -2, "EUR")])
            other.commit()
        holder.commit()
    assert verify(runtime) == LedgerVerification(True, 3, None, None, None, CHAINS)


def test_two_chains_verify_and_a_change_in_the_second_is_found_there(runtime):
    book_in_two_chains(runtime)
    assert verify(runtime).ok and verify(runtime).transactions == 5
    tamper(runtime, "UPDATE ledger_entries SET amount_minor = amount_minor * 2 WHERE transaction_id = "
                    "(SELECT id FROM ledger_transactions WHERE reference = 'u2')")
    result = verify(runtime)
    assert (result.ok, result.chain, result.first_bad_sequence) == (False, 2, 2)
    assert "u2" in result.reason and "does not match its hash" in result.reason


def test_a_transaction_moved_to_another_chain_is_detected(runtime):
    book_in_two_chains(runtime)
    tamper(runtime, "UPDATE ledger_transactions SET chain = 2, sequence = 3 WHERE reference = 't3'",
           "UPDATE ledger_head SET sequence = 2 WHERE id = 1")  # the tail of chain 1 moved to chain 2
    result = verify(runtime)
    assert (result.ok, result.chain, result.first_bad_sequence) == (False, 2, 3)
    assert "t3" in result.reason


def test_swapped_chains_are_detected_because_each_chain_has_its_own_genesis(runtime):
    book_in_two_chains(runtime)
    tamper(runtime, "UPDATE ledger_transactions SET chain = 99 WHERE chain = 1",
           "UPDATE ledger_transactions SET chain = 1 WHERE chain = 2",
           "UPDATE ledger_transactions SET chain = 2 WHERE chain = 99",
           "UPDATE ledger_head SET id = 99 WHERE id = 1", "UPDATE ledger_head SET id = 1 WHERE id = 2",
           "UPDATE ledger_head SET id = 2 WHERE id = 99")
    result = verify(runtime)
    assert (result.ok, result.chain, result.first_bad_sequence) == (False, 1, 1)
    assert "does not match its hash" in result.reason


def test_a_deleted_chain_with_its_head_is_detected(runtime):
    book_in_two_chains(runtime)
    tamper(runtime, "DELETE FROM ledger_entries WHERE transaction_id IN (SELECT id FROM ledger_transactions "
                    "WHERE chain = 2)",
           "DELETE FROM ledger_transactions WHERE chain = 2", "DELETE FROM ledger_head WHERE id = 2")
    result = verify(runtime)
    assert (result.ok, result.chain) == (False, 2)
    assert "the head is missing" in result.reason


def test_a_ledger_booked_under_the_single_chain_verifies_as_chain_1_after_migration_0007(tmp_path):
    from core.runtime import Runtime
    from migrations.runner import upgrade
    from tests.conftest import make_settings

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0004")
    previous = GENESIS
    with Runtime.from_settings(make_settings(tmp_path, url)).engine.begin() as conn:
        conn.execute(text("INSERT INTO ledger_accounts (code, name, kind, currency) VALUES "
                          "('psp_receivable:EUR', 'p', 'asset', 'EUR'), ('wallet_liability:EUR', 'w', 'liability', "
                          "'EUR')"))
        for sequence, amount in enumerate((500, 710, 290), 1):  # booked as revision 0004's code booked them
            at = AT + timedelta(minutes=sequence)
            previous = chain_hash(previous, sequence, f"t{sequence}", at,
                                  [("psp_receivable:EUR", amount, "EUR"), ("wallet_liability:EUR", -amount, "EUR")])
            conn.execute(text("INSERT INTO ledger_transactions (reference, description, occurred_at, booked_at, "
                              "sequence, hash) VALUES (:r, 'x', :at, :at, :s, :h)"),
                         {"r": f"t{sequence}", "at": at.replace(tzinfo=None), "s": sequence, "h": previous})
            conn.execute(text("INSERT INTO ledger_entries (transaction_id, account_id, amount_minor, currency) "
                              "SELECT t.id, a.id, CASE WHEN a.code LIKE 'psp%' THEN :a ELSE -:a END, 'EUR' "
                              "FROM ledger_transactions t, ledger_accounts a WHERE t.reference = :r"),
                         {"a": amount, "r": f"t{sequence}"})
        conn.execute(text("INSERT INTO ledger_head (id, sequence, hash) VALUES (1, 3, :h)"), {"h": previous})
    upgrade(url)
    runtime = Runtime.from_settings(make_settings(tmp_path, url))
    try:
        assert verify(runtime) == LedgerVerification(True, 3, None, None, None, CHAINS)
        book(runtime, "t4", 5, AT + timedelta(minutes=4))
        with runtime.session_factory() as session:
            fourth = session.scalars(select(LedgerTransaction).where(LedgerTransaction.reference == "t4")).one()
            assert (fourth.chain, fourth.sequence) == (1, 4)
        assert verify(runtime).ok and verify(runtime).transactions == 4
    finally:
        runtime.engine.dispose()
