from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

import operators.models  # noqa: F401  (ForeignKey targets)
from core.db import Base, UtcDateTime, utcnow
from core.errors import Conflict


class ClearingRecord(Base):
    """One cleared event. ``event_id`` is unique: a redelivered event is skipped."""

    __tablename__ = "clearing_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    sale_id: Mapped[str] = mapped_column(String(36), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    sale_period: Mapped[str] = mapped_column(String(7), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    cleared_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))


class ClearingShare(Base):
    """An operator's share of one cleared sale.

    ``settlement_id`` stays empty until a settlement takes the share: the first
    settlement of that operator for ``sale_period`` or later, so a share that
    arrives after its period was closed falls into the next open period.
    """

    __tablename__ = "clearing_shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("clearing_records.id"), index=True)
    operator_id: Mapped[str] = mapped_column(ForeignKey("operators.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    weight_minor: Mapped[int] = mapped_column(Integer)
    sale_period: Mapped[str] = mapped_column(String(7), index=True)
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("settlements.id"), index=True)


class LedgerAccount(Base):
    __tablename__ = "ledger_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # asset | liability | revenue | expense
    currency: Mapped[str] = mapped_column(String(3))
    operator_id: Mapped[str | None] = mapped_column(ForeignKey("operators.id"), index=True)


class LedgerTransaction(Base):
    """One balanced posting, sealed in one of the hash chains (see clearing/ledger_chain.py).

    ``sequence`` counts 1, 2, 3... without gaps within its ``chain``; ``hash``
    is SHA-256 over the chain's previous hash, the sequence, reference,
    occurred_at and the entries. ``reverses_id`` points at the transaction a
    reversal corrects.
    """

    __tablename__ = "ledger_transactions"
    __table_args__ = (UniqueConstraint("chain", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    chain: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"), unique=True)


class LedgerHead(Base):
    """A chain's head: one row per chain (id = chain number) with its last sequence and hash.

    A writer locks one head (``FOR UPDATE SKIP LOCKED`` on PostgreSQL: one no
    other writer holds; SQLite's database write lock) before it seals, so the
    sequence of each chain has no gaps while writers use different chains. It
    also lets ``verify_ledger`` notice a deleted tail.
    """

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sequence: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class LedgerEntry(Base):
    """Signed amount: positive is a debit, negative a credit. A transaction's entries sum to zero."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))


class Settlement(Base):
    """A closed period of one operator, with its statement."""

    __tablename__ = "settlements"
    __table_args__ = (UniqueConstraint("period", "operator_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7))
    operator_id: Mapped[str] = mapped_column(ForeignKey("operators.id"))
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(Integer)
    sales_count: Mapped[int] = mapped_column(Integer)
    statement_csv: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LedgerIsAppendOnly(Conflict):
    code = "ledger_append_only"


APPEND_ONLY = (LedgerTransaction, LedgerEntry)


@event.listens_for(Session, "before_flush")
def _refuse_ledger_changes(session: Session, _context: Any, _instances: Any) -> None:
    """Ledger rows are never updated or deleted by the application: corrections are reversals.

    Enforced at the ORM level in every session; on PostgreSQL, migration 0002's
    triggers also refuse raw SQL. SQLite has this guard only, and whoever can
    disable triggers can still alter rows: ``verify_ledger`` finds that.
    """
    for obj in session.deleted:
        if isinstance(obj, APPEND_ONLY):
            raise LedgerIsAppendOnly(f"{type(obj).__name__} {obj.id} cannot be deleted; post a reversal")
    for obj in session.dirty:
        if isinstance(obj, APPEND_ONLY) and session.is_modified(obj):
            raise LedgerIsAppendOnly(f"{type(obj).__name__} {obj.id} cannot be changed; post a reversal")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_ledger_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in APPEND_ONLY:
        raise LedgerIsAppendOnly("ledger rows cannot be updated or deleted; post a reversal")
