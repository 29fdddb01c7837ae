"""Settlement: close a period for each operator and write its statement.

A settlement of period P takes every share of that operator not yet settled
whose sale happened in P or earlier, so late shares land in the next open
period and nothing is settled twice (the share rows carry the settlement id,
and (period, operator) is unique).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearing.models import ClearingRecord, ClearingShare, Settlement
from clearing.periods import parse_period
from core.errors import Conflict, NotFound
from core.money import Money
from core.unit_of_work import SqlUnitOfWork
from operators.models import Operator


@dataclass(frozen=True, slots=True)
class StatementLine:
    sale_id: str
    sale_date: str
    sale_period: str
    sale_amount: Money
    share: Money


def render_statement_csv(operator: Operator, period: str, currency: str, lines: Sequence[StatementLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["operator_id", "period", "sale_id", "sale_date", "sale_period", "sale_amount", "share",
                     "currency"])
    for line in lines:
        writer.writerow([operator.id, period, line.sale_id, line.sale_date, line.sale_period,
                         line.sale_amount.format(), line.share.format(), currency])
    total = sum((line.share for line in lines), Money.zero(currency))
    writer.writerow([operator.id, period, "TOTAL", "", "", "", total.format(), currency])
    return out.getvalue()


def settle_period(
    uow: SqlUnitOfWork, period: str, operator_ids: Sequence[str] | None, currency: str, now: datetime
) -> list[Settlement]:
    """Settle ``period`` for the given operators (all when None); one transaction per operator.

    Operators already settled for the period are skipped; if all were, that is a conflict.
    """
    parse_period(period)
    with uow:
        query = select(Operator).order_by(Operator.id)
        if operator_ids:
            query = query.where(Operator.id.in_(operator_ids))
        found = [operator.id for operator in uow.session.scalars(query)]
    missing = set(operator_ids or ()) - set(found)
    if missing:
        raise NotFound(f"unknown operator(s): {', '.join(sorted(missing))}")
    settled = [_settle_operator(uow, period, operator_id, currency, now) for operator_id in found]
    new = [settlement for settlement in settled if settlement is not None]
    if found and not new:
        raise Conflict(f"period {period} is already settled", details={"period": period}, code="already_settled")
    return new


def _settle_operator(
    uow: SqlUnitOfWork, period: str, operator_id: str, currency: str, now: datetime
) -> Settlement | None:
    with uow:
        session = uow.session
        operator = session.get(Operator, operator_id)
        assert operator is not None
        existing = session.scalars(
            select(Settlement).where(Settlement.period == period, Settlement.operator_id == operator.id)
        ).one_or_none()
        if existing is not None:
            return None
        rows = session.execute(
            select(ClearingShare, ClearingRecord)
            .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
            .where(
                ClearingShare.operator_id == operator.id,
                ClearingShare.settlement_id.is_(None),
                ClearingShare.sale_period <= period,
                ClearingRecord.currency == currency,
            )
            .order_by(ClearingRecord.occurred_at, ClearingRecord.id)
        ).all()
        lines = [
            StatementLine(record.sale_id, record.occurred_at.date().isoformat(), record.sale_period,
                          Money(record.amount_minor, currency), Money(share.amount_minor, currency))
            for share, record in rows
        ]
        settlement = Settlement(
            period=period, operator_id=operator.id, currency=currency,
            total_minor=sum(line.share.minor for line in lines), sales_count=len(lines),
            statement_csv=render_statement_csv(operator, period, currency, lines), created_at=now,
        )
        session.add(settlement)
        try:
            session.flush()
        except IntegrityError:
            return None  # a concurrent run settled this operator first
        for share, _record in rows:
            share.settlement_id = settlement.id
        uow.commit()
        return settlement


def write_statement(settlement: Settlement, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"statement_{settlement.operator_id}_{settlement.period}.csv"
    path.write_text(settlement.statement_csv, encoding="utf-8")
    return path


def get_settlement(session: Session, settlement_id: int) -> Settlement:
    settlement = session.get(Settlement, settlement_id)
    if settlement is None:
        raise NotFound(f"no settlement {settlement_id}")
    return settlement


def settlements_of(session: Session, operator_id: str) -> list[Settlement]:
    return list(session.scalars(
        select(Settlement).where(Settlement.operator_id == operator_id).order_by(Settlement.period)
    ))
