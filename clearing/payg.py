"""Clearing pay-as-you-go: a rider's capped day, shared among the operators that carried them.

A day's charge and its adjustments arrive as ``PaygDayCharged`` events, all
under one ``day_id``. The operators' entitlement for the day is what the
rider paid for it (``day_total_minor``) split in proportion to each
operator's uncapped fares (largest remainder, operators by id): so when a cap
lowers what the rider pays, every operator gives up the same fraction of its
fares. Each event books the difference between that entitlement and what the
day's earlier events booked, so the shares of a day always add up to what its
rider paid, and the ledger balances with the card receivable (or the wallet
liability) on the other side.

The events of a day must be booked in order: one whose predecessor is not
booked yet raises ``SaleNotClearedYet`` (the Celery task retries it).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearing.ledger import Line, operator_payable, post, psp_receivable, wallet_liability
from clearing.models import ClearingRecord, ClearingShare
from clearing.periods import period_of
from clearing.refunds import SaleNotClearedYet
from core.money import split_minor
from core.outbox import PAYG_DAY_CHARGED


def day_entitlement(day_total_minor: int, operators: list[dict[str, Any]]) -> dict[str, int]:
    """The day's amount split in proportion to the uncapped fares (largest remainder, by operator id)."""
    weights = sorted((str(o["operator_id"]), int(o["uncapped_minor"])) for o in operators)
    if not weights:
        return {}
    parts = split_minor(day_total_minor, [weight for _, weight in weights])
    return {operator_id: part for (operator_id, _), part in zip(weights, parts, strict=True)}


def _booked(session: Session, day_id: str) -> tuple[int, dict[str, int]]:
    total = session.scalar(select(func.coalesce(func.sum(ClearingRecord.amount_minor), 0)).where(
        ClearingRecord.sale_id == day_id, ClearingRecord.event_type == PAYG_DAY_CHARGED))
    per_operator: dict[str, int] = defaultdict(int)
    rows = session.execute(
        select(ClearingShare.operator_id, func.sum(ClearingShare.amount_minor))
        .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
        .where(ClearingRecord.sale_id == day_id, ClearingRecord.event_type == PAYG_DAY_CHARGED)
        .group_by(ClearingShare.operator_id)
    )
    for operator_id, amount in rows:
        per_operator[operator_id] = int(amount)
    return int(total or 0), per_operator


def clear_payg_day(session: Session, message: dict[str, Any]) -> ClearingRecord:
    payload = message["payload"]
    day_id, currency = payload["day_id"], payload["currency"]
    amount = int(payload["amount_minor"])
    booked_total, booked = _booked(session, day_id)
    previous = int(payload["previous_day_total_minor"])
    if booked_total != previous:
        raise SaleNotClearedYet(day_id)  # an earlier charge of the day is not booked yet
    target = day_entitlement(int(payload["day_total_minor"]), payload["operators"])
    deltas = {op: target.get(op, 0) - booked.get(op, 0) for op in sorted({*target, *booked})}
    if sum(deltas.values()) != amount:
        raise ValueError(f"pay-as-you-go charge {payload['charge_id']}: shares move {sum(deltas.values())}, "
                         f"the rider paid {amount}")
    charged_at = datetime.fromisoformat(payload["charged_at"])
    source = wallet_liability(session, currency) if payload.get("payment_method") == "wallet" else \
        psp_receivable(session, currency)
    lines = [Line(source, amount)] + [
        Line(operator_payable(session, op, currency), -delta) for op, delta in deltas.items() if delta
    ]
    transaction = post(session, f"payg:{payload['charge_id']}",
                       f"Pay-as-you-go {payload['kind']} {payload['sequence']} of account {payload['account_id']} "
                       f"for {payload['service_date']}", charged_at, lines)
    record = ClearingRecord(
        event_id=message["id"], event_type=PAYG_DAY_CHARGED, sale_id=day_id, amount_minor=amount,
        currency=currency, sale_period=period_of(charged_at), occurred_at=charged_at,
        transaction_id=transaction.id,
    )
    session.add(record)
    session.flush()
    uncapped = {str(o["operator_id"]): int(o["uncapped_minor"]) for o in payload["operators"]}
    session.add_all(
        ClearingShare(record_id=record.id, operator_id=op, amount_minor=delta, weight_minor=uncapped.get(op, 0),
                      sale_period=record.sale_period)
        for op, delta in deltas.items() if delta
    )
    return record
