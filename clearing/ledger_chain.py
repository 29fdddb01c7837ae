"""Tamper-evident ledger: every transaction is sealed into a SHA-256 hash chain.

``hash(n) = SHA-256(canonical JSON of [hash(n-1), n, reference, occurred_at, entries])``
with ``occurred_at`` in UTC ISO 8601 with microseconds and the entries as
``[account code, amount_minor, currency]`` sorted; the first transaction chains
on ``GENESIS``. Changing an amount, deleting, inserting or reordering a
transaction breaks the chain from that point; deleting the newest ones is
caught by the head row (``ledger_head``), which holds the last sequence and hash.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearing.models import LedgerAccount, LedgerEntry, LedgerHead, LedgerTransaction

GENESIS = "0" * 64
HEAD_ID = 1
ChainEntry = tuple[str, int, str]  # account code, amount_minor, currency


def chain_hash(previous: str, sequence: int, reference: str, occurred_at: datetime,
               entries: Iterable[ChainEntry]) -> str:
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at must carry a time zone")
    canonical = [previous, sequence, reference, occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
                 sorted([code, int(amount), currency] for code, amount, currency in entries)]
    return hashlib.sha256(json.dumps(canonical, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def lock_head(session: Session) -> LedgerHead:
    """The chain head, locked until the session commits: writers take turns.

    SQLite has no row locks: a first (no-op) write takes the database's write
    lock, other writers wait on the busy timeout. A missing head (a new or an
    emptied database) is created from the newest transaction.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(LedgerHead).where(LedgerHead.id == HEAD_ID).values(sequence=LedgerHead.sequence)
                        .execution_options(synchronize_session=False))
    query = select(LedgerHead).where(LedgerHead.id == HEAD_ID).with_for_update() \
        .execution_options(populate_existing=True)
    head = session.scalars(query).one_or_none()
    if head is not None:
        return head
    last = session.scalars(select(LedgerTransaction).order_by(LedgerTransaction.sequence.desc()).limit(1)).first()
    try:
        with session.begin_nested():  # another writer may create it at the same moment
            head = LedgerHead(id=HEAD_ID, sequence=last.sequence if last else 0, hash=last.hash if last else GENESIS)
            session.add(head)
    except IntegrityError:
        head = session.scalars(query).one()
    return head


def seal(session: Session, reference: str, occurred_at: datetime, entries: Iterable[ChainEntry]) -> tuple[int, str]:
    """The next sequence and hash for a transaction, advancing the locked head (same transaction)."""
    head = lock_head(session)
    sequence = head.sequence + 1
    digest = chain_hash(head.hash, sequence, reference, occurred_at, entries)
    head.sequence, head.hash = sequence, digest
    return sequence, digest


@dataclass(frozen=True, slots=True)
class LedgerVerification:
    ok: bool
    transactions: int
    first_bad_sequence: int | None
    reason: str | None


def _broken_link(previous: str, expected: int, sequence: int, reference: str, occurred_at: datetime, stored: str,
                 lines: list[ChainEntry]) -> str | None:
    if sequence != expected:
        return f"transaction {expected} is missing (the next one is {sequence})"
    totals: dict[str, int] = {}
    for _code, amount, currency in lines:
        totals[currency] = totals.get(currency, 0) + amount
    if any(totals.values()):
        return f"transaction {sequence} ({reference}) does not balance: {totals}"
    if chain_hash(previous, sequence, reference, occurred_at, lines) != stored:
        return f"transaction {sequence} ({reference}) does not match its hash: changed or out of order"
    return None


def verify_ledger(session: Session) -> LedgerVerification:
    """Recompute the chain; the first broken link, an unbalanced transaction or a missing tail fails it."""
    entries: dict[int, list[ChainEntry]] = {}
    for transaction_id, code, amount, currency in session.execute(
        select(LedgerEntry.transaction_id, LedgerAccount.code, LedgerEntry.amount_minor, LedgerEntry.currency)
        .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id)
    ):
        entries.setdefault(transaction_id, []).append((code, int(amount), currency))
    count = session.scalar(select(func.count()).select_from(LedgerTransaction)) or 0
    previous, expected = GENESIS, 1
    rows = session.execute(select(LedgerTransaction.id, LedgerTransaction.sequence, LedgerTransaction.reference,
                                  LedgerTransaction.occurred_at, LedgerTransaction.hash)
                           .order_by(LedgerTransaction.sequence))
    for transaction_id, sequence, reference, occurred_at, stored in rows:
        lines = entries.get(transaction_id, [])
        reason = _broken_link(previous, expected, sequence, reference, occurred_at, stored, lines)
        if reason:
            return LedgerVerification(False, count, expected, reason)
        previous, expected = stored, expected + 1
    head = session.get(LedgerHead, HEAD_ID, populate_existing=True)
    last = expected - 1
    if head is None and last:
        return LedgerVerification(False, count, None, "the ledger head is missing")
    if head is not None and (head.sequence, head.hash) != (last, previous):
        return LedgerVerification(False, count, last + 1,
                                  f"the head says {head.sequence} transactions, the ledger has {last}: "
                                  "the newest were deleted or changed")
    return LedgerVerification(True, count, None, None)


def seal_existing(connection: Connection) -> int:
    """Number and chain every transaction in id order and set the head; returns how many.

    Only for the migration that adds the chain to a ledger booked before it
    (Core statements on the migration's connection: the ORM guard forbids
    updates; on PostgreSQL, before revision 0002's append-only triggers or with
    them disabled). It would also re-seal a tampered ledger, so nothing else calls it.
    """
    accounts = LedgerAccount.__table__
    entries, transactions, head = LedgerEntry.__table__, LedgerTransaction.__table__, LedgerHead.__table__
    lines: dict[int, list[ChainEntry]] = {}
    for transaction_id, code, amount, currency in connection.execute(
        select(entries.c.transaction_id, accounts.c.code, entries.c.amount_minor, entries.c.currency)
        .join(accounts, entries.c.account_id == accounts.c.id)
    ):
        lines.setdefault(transaction_id, []).append((code, int(amount), currency))
    rows = connection.execute(select(transactions.c.id, transactions.c.reference, transactions.c.occurred_at)
                              .order_by(transactions.c.id)).all()
    previous = GENESIS
    for sequence, (transaction_id, reference, occurred_at) in enumerate(rows, 1):
        if occurred_at.tzinfo is None:  # SQLite hands back naive UTC through Core
            occurred_at = occurred_at.replace(tzinfo=UTC)
        previous = chain_hash(previous, sequence, reference, occurred_at, lines.get(transaction_id, []))
        connection.execute(update(transactions).where(transactions.c.id == transaction_id)
                           .values(sequence=-sequence, hash=previous))
    connection.execute(update(transactions).values(sequence=-transactions.c.sequence))  # unique on the way
    connection.execute(head.delete())
    connection.execute(head.insert().values(id=HEAD_ID, sequence=len(rows), hash=previous))
    return len(rows)
