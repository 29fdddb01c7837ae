"""Bulk clearing books row for row what clearing one event at a time books, on SQLite and PostgreSQL."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from clearing import services
from clearing.bulk import clear_batch
from clearing.ledger import ledger_total
from clearing.ledger_chain import verify_ledger
from clearing.models import ClearingRecord, ClearingShare, LedgerAccount, LedgerEntry, LedgerTransaction
from core.db import new_id
from tests.clearing.test_ledger_chain import without_ledger_triggers

OPERATORS = ("BVB", "RBA", "SWA")
RULES: list[dict[str, Any] | None] = [
    None,
    {"method": "passenger_km", "commission": {"channel": "app", "rate": "1/50"},
     "clearing_fee": {"rate": "1/200", "fixed_minor": 1}},
    {"method": "zones_travelled", "clearing_fee": {"rate": "1/100"}},
    {"method": "fixed_shares", "shares": {"BVB": "1/3", "RBA": "1/3", "SWA": "1/3"}},
    {"method": "per_leg_fixed_fees", "fees_minor": {"RBA": 40}, "remainder": "standalone_fares"},
]


def sample_events(count: int, seed: int = 3) -> list[dict[str, Any]]:
    """Sales over two periods, card and wallet, every rule, small amounts (so the carries matter)."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 30, tzinfo=UTC)
    events = []
    for i in range(count):
        paid_at = start + timedelta(hours=7 * i)
        legs = [{"operator_id": rng.choice(OPERATORS), "route_id": "r", "standalone_minor": rng.randint(0, 400),
                 "distance_m": rng.randint(0, 9000), "zones": rng.randint(0, 3)} for _ in range(rng.randint(1, 3))]
        payload: dict[str, Any] = {
            "sale_id": new_id(), "payment_id": new_id(), "ticket_id": new_id(), "amount_minor": rng.randint(1, 700),
            "currency": "EUR", "payment_method": rng.choice(["card", "wallet"]), "paid_at": paid_at.isoformat(),
            "tariff_version_id": 1, "rider_category": "adult", "legs": legs,
        }
        rule = RULES[i % len(RULES)]
        if rule:
            payload["apportionment"] = rule
        events.append({"id": new_id(), "type": "SalePaid", "created_at": paid_at.isoformat(), "payload": payload})
    return events


def books(runtime) -> dict[str, Any]:
    """Everything clearing wrote, without row ids and booking times."""
    with runtime.session_factory() as session:
        codes = dict(session.execute(select(LedgerAccount.id, LedgerAccount.code)).all())
        entries: dict[int, list[tuple[str, int]]] = {}
        for transaction_id, account_id, amount in session.execute(
                select(LedgerEntry.transaction_id, LedgerEntry.account_id, LedgerEntry.amount_minor)
                .order_by(LedgerEntry.id)):
            entries.setdefault(transaction_id, []).append((codes[account_id], amount))
        transactions = [(t.sequence, t.reference, t.description, t.occurred_at, t.hash, entries[t.id])
                        for t in session.scalars(select(LedgerTransaction).order_by(LedgerTransaction.sequence))]
        records = session.execute(
            select(ClearingRecord.event_id, ClearingRecord.sale_id, ClearingRecord.amount_minor,
                   ClearingRecord.sale_period, ClearingRecord.occurred_at, LedgerTransaction.sequence)
            .join(LedgerTransaction, ClearingRecord.transaction_id == LedgerTransaction.id)
            .order_by(ClearingRecord.id)).all()
        shares = session.execute(
            select(ClearingRecord.event_id, ClearingShare.operator_id, ClearingShare.amount_minor,
                   ClearingShare.weight_minor, ClearingShare.sale_period)
            .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
            .order_by(ClearingShare.id)).all()
        carries = sorted(session.execute(text("SELECT operator_id, period, currency, carry_units "
                                              "FROM clearing_carries")).all())
        head = session.execute(text("SELECT id, sequence, hash FROM ledger_head ORDER BY id")).all()
        return {"transactions": transactions, "records": records, "shares": shares, "carries": carries,
                "head": head, "accounts": sorted(codes.values()), "verified": verify_ledger(session).ok,
                "total": ledger_total(session)}


def wipe_clearing(runtime) -> None:
    with runtime.engine.begin() as conn:
        without_ledger_triggers(conn)
        for table in ("clearing_shares", "clearing_records", "ledger_entries", "ledger_transactions", "ledger_head",
                      "clearing_carries", "ledger_accounts"):
            conn.execute(text(f"DELETE FROM {table}"))


def test_bulk_clearing_books_exactly_what_one_by_one_clearing_books(demo):
    events = sample_events(120)
    for event in events:
        assert services.clear_event(demo.uow(), event) == services.CLEARED
    one_by_one = books(demo)
    wipe_clearing(demo)

    result = clear_batch(demo.uow(), events[:50])
    assert (result.cleared, result.duplicates) == (50, 0)
    assert clear_batch(demo.uow(), events[50:]).cleared == 70
    bulk = books(demo)

    assert len(bulk["transactions"]) == 120
    assert len(bulk["shares"]) == len(one_by_one["shares"]) > 120
    assert any(units for *_key, units in bulk["carries"])
    assert bulk == one_by_one
    assert bulk["verified"] is True and bulk["total"] == 0


def test_bulk_clearing_continues_the_chain_of_one_by_one_clearing(demo):
    events = sample_events(30, seed=9)
    for event in events[:10]:
        services.clear_event(demo.uow(), event)
    assert clear_batch(demo.uow(), events[10:]).cleared == 20
    services.clear_event(demo.uow(), sample_events(1, seed=10)[0])
    with demo.session_factory() as session:
        assert verify_ledger(session).ok is True
        assert session.scalar(select(func.max(LedgerTransaction.sequence))) == 31


def test_events_already_cleared_or_repeated_in_the_batch_are_cleared_once(demo):
    events = sample_events(8, seed=5)
    services.clear_event(demo.uow(), events[0])
    result = clear_batch(demo.uow(), [*events, events[3], events[0]])
    assert (result.cleared, result.duplicates) == (7, 3)
    assert clear_batch(demo.uow(), events).cleared == 0
    with demo.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ClearingRecord)) == 8
        assert session.scalar(select(func.count()).select_from(LedgerTransaction)) == 8
        assert ledger_total(session) == 0


def test_bulk_clearing_refuses_other_event_types_and_books_nothing(demo):
    events = sample_events(3)
    refund = {"id": new_id(), "type": "SaleRefunded", "created_at": events[0]["created_at"], "payload": {}}
    with pytest.raises(ValueError, match="SalePaid events only"):
        clear_batch(demo.uow(), [*events, refund])
    with demo.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ClearingRecord)) == 0
