"""Tamper-evident ledger: transactions are sealed into a fixed number of SHA-256 hash chains.

A single chain makes every posting lock its one head row until commit, so
workers posting at the same time queue on that row. Here the ledger has
``CHAINS`` chains, each with its own head row (``ledger_head.id`` = chain
number). A writer seals into the first chain whose head no other transaction
holds (PostgreSQL ``FOR UPDATE SKIP LOCKED``); it waits only when every head is
held. Within a chain nothing changes:

``hash(n) = SHA-256(canonical JSON of [hash(n-1), n, reference, occurred_at, entries])``
with ``occurred_at`` in UTC ISO 8601 with microseconds and the entries as
``[account code, amount_minor, currency]`` sorted; the first transaction of
chain ``c`` chains on ``genesis(c)``: ``GENESIS`` (64 zeros) for chain 1, so a
ledger booked under the single chain is chain 1 as it stands, and
SHA-256 of ``farebridge-ledger-chain:<c>`` for the others, so whole chains
cannot be swapped. Changing an amount, deleting, inserting or reordering a
transaction (or moving it to another chain) breaks its chain from that point;
deleting the newest transactions of a chain is caught by its head row, and a
deleted head by the fixed number of heads. What the chains do not record is
the order of transactions in different chains: ``occurred_at`` and
``booked_at`` say that, unattested (docs/ledger.md).

The head held by a transaction is also its clearing lane (clearing/carry.py):
carry rows of lane ``c`` are only written by the holder of head ``c``.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from clearing.models import LedgerAccount, LedgerEntry, LedgerHead, LedgerTransaction

GENESIS = "0" * 64
CHAINS = 16
"""Fixed: a head per chain exists from the first posting on, so a deleted chain (head and all) is noticed.

More chains than concurrent writers keeps writers from waiting; raising it
later only adds heads (migration), lowering it would orphan chains.
"""
LEGACY_CHAIN = 1
ChainEntry = tuple[str, int, str]  # account code, amount_minor, currency
_HELD = "farebridge.ledger_head"


def genesis(chain: int) -> str:
    """The hash a chain starts from; chain 1 keeps the single chain's ``GENESIS``."""
    if chain == LEGACY_CHAIN:
        return GENESIS
    return hashlib.sha256(f"farebridge-ledger-chain:{chain}".encode()).hexdigest()


def chain_hash(previous: str, sequence: int, reference: str, occurred_at: datetime,
               entries: Iterable[ChainEntry]) -> str:
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at must carry a time zone")
    canonical = [previous, sequence, reference, occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
                 sorted([code, int(amount), currency] for code, amount, currency in entries)]
    return hashlib.sha256(json.dumps(canonical, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


@event.listens_for(Session, "after_transaction_end")
def _release_head(session: Session, transaction: SessionTransaction) -> None:
    """The database releases the head's lock at the end of the outer transaction; forget it then."""
    if transaction.parent is None:
        session.info.pop(_HELD, None)


def _create_heads(session: Session) -> None:
    """Every chain's head, created at once (a new or an emptied database).

    Chain 1 starts from the newest transaction booked before the chains (none
    in a new database); another writer may create them at the same moment.
    """
    legacy = session.execute(select(LedgerTransaction.sequence, LedgerTransaction.hash)
                             .where(LedgerTransaction.chain == LEGACY_CHAIN)
                             .order_by(LedgerTransaction.sequence.desc()).limit(1)).first()
    try:
        with session.begin_nested():
            session.add_all(LedgerHead(id=chain, sequence=0, hash=genesis(chain)) for chain in range(1, CHAINS + 1)
                            if chain != LEGACY_CHAIN)
            session.add(LedgerHead(id=LEGACY_CHAIN, sequence=legacy[0] if legacy else 0,
                                   hash=legacy[1] if legacy else GENESIS))
    except IntegrityError:
        pass


def lock_head(session: Session) -> LedgerHead:
    """A chain head for this transaction, locked until it commits: the same one for every posting in it.

    PostgreSQL: the first head no other transaction holds (``SKIP LOCKED``, in
    chain order, so a lone writer always seals into chain 1), or, when all are
    held, wait for one. SQLite has no row locks: a first (no-op) write takes
    the database's write lock, so there is one writer and it takes chain 1.
    """
    held = session.info.get(_HELD)
    if held is not None:
        return held  # type: ignore[no-any-return]
    sqlite = session.get_bind().dialect.name == "sqlite"
    for attempt in range(2):
        if sqlite:
            session.execute(update(LedgerHead).where(LedgerHead.id == LEGACY_CHAIN)
                            .values(sequence=LedgerHead.sequence).execution_options(synchronize_session=False))
            query = select(LedgerHead).where(LedgerHead.id == LEGACY_CHAIN)
        else:
            query = select(LedgerHead).order_by(LedgerHead.id).limit(1).with_for_update(skip_locked=True)
        head = session.scalars(query.execution_options(populate_existing=True)).first()
        if head is None and not sqlite and session.scalar(select(func.count()).select_from(LedgerHead)):
            wait_for = session.scalar(select(LedgerHead.id).order_by(func.random()).limit(1))
            head = session.scalars(select(LedgerHead).where(LedgerHead.id == wait_for).with_for_update()
                                   .execution_options(populate_existing=True)).one()
        if head is not None:
            session.info[_HELD] = head
            return head
        if attempt == 0:
            _create_heads(session)
    raise RuntimeError("the ledger heads could not be created")


def seal(session: Session, reference: str, occurred_at: datetime,
         entries: Iterable[ChainEntry]) -> tuple[int, int, str]:
    """The chain, next sequence and hash for a transaction, advancing the locked head (same transaction)."""
    head = lock_head(session)
    sequence = head.sequence + 1
    digest = chain_hash(head.hash, sequence, reference, occurred_at, entries)
    head.sequence, head.hash = sequence, digest
    return head.id, sequence, digest


@dataclass(frozen=True, slots=True)
class LedgerVerification:
    ok: bool
    transactions: int
    first_bad_sequence: int | None
    reason: str | None
    chain: int | None = None
    chains: int = 0


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
    """Recompute every chain; the first broken link, an unbalanced transaction, a missing tail or head fails it."""
    entries: dict[int, list[ChainEntry]] = {}
    for transaction_id, code, amount, currency in session.execute(
        select(LedgerEntry.transaction_id, LedgerAccount.code, LedgerEntry.amount_minor, LedgerEntry.currency)
        .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id)
    ):
        entries.setdefault(transaction_id, []).append((code, int(amount), currency))
    count = session.scalar(select(func.count()).select_from(LedgerTransaction)) or 0
    heads = {head.id: (head.sequence, head.hash)
             for head in session.scalars(select(LedgerHead).execution_options(populate_existing=True))}
    tips: dict[int, tuple[int, str]] = {}  # chain: (last sequence, its hash)

    def failed(chain: int, sequence: int | None, reason: str) -> LedgerVerification:
        return LedgerVerification(False, count, sequence, f"chain {chain}: {reason}", chain, len(heads))

    rows = session.execute(select(LedgerTransaction.id, LedgerTransaction.chain, LedgerTransaction.sequence,
                                  LedgerTransaction.reference, LedgerTransaction.occurred_at, LedgerTransaction.hash)
                           .order_by(LedgerTransaction.chain, LedgerTransaction.sequence))
    for transaction_id, chain, sequence, reference, occurred_at, stored in rows:
        last, previous = tips.get(chain, (0, genesis(chain)))
        reason = _broken_link(previous, last + 1, sequence, reference, occurred_at, stored,
                              entries.get(transaction_id, []))
        if reason:
            return failed(chain, last + 1, reason)
        tips[chain] = (sequence, stored)
    if count or heads:
        missing = sorted(set(range(1, CHAINS + 1)) - set(heads))
        if missing:
            return failed(missing[0], None, "the head is missing (the chain or its newest transactions were deleted)")
    for chain in sorted(set(heads) | set(tips)):
        last, previous = tips.get(chain, (0, genesis(chain)))
        if chain not in heads:
            return failed(chain, None, "the head is missing")
        if heads[chain] != (last, previous):
            return failed(chain, last + 1, f"the head says {heads[chain][0]} transactions, the chain has {last}: "
                                           "the newest were deleted or changed")
    return LedgerVerification(True, count, None, None, None, len(heads))


def seal_existing(connection: Connection) -> int:
    """Number and chain every transaction in id order as chain 1 and reset every head; returns how many.

    Only for a migration that adds the chain to a ledger booked before it
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
                           .values(chain=LEGACY_CHAIN, sequence=-sequence, hash=previous))
    connection.execute(update(transactions).values(sequence=-transactions.c.sequence))  # unique on the way
    connection.execute(head.delete())
    connection.execute(head.insert(), [head_row(chain, len(rows) if chain == LEGACY_CHAIN else 0,
                                                previous if chain == LEGACY_CHAIN else genesis(chain))
                                       for chain in range(1, CHAINS + 1)])
    return len(rows)


def head_row(chain: int, sequence: int, digest: str) -> dict[str, Any]:
    return {"id": chain, "sequence": sequence, "hash": digest}
