"""Settlement: close a period for each operator and write its statement.

A settlement of period P takes every share of that operator not yet settled
whose sale happened in P or earlier, so late shares land in the next open
period and nothing is settled twice (the share rows carry the settlement id,
and (period, operator) is unique). Refunds are shares too (negative), so a
refund is netted in the period it happened, or the next open one when that
period is closed. ``sales_count`` counts the items (sales and refunds) as before.

Statements: the CSV is stored with the settlement; the PDF is rendered on
request from the shares the settlement took (see ``clearing.statements.data``).
A settlement marks its shares with one ``UPDATE`` and lets the database add
them up; nothing is loaded share by share except the CSV's lines.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearing.models import ClearingRecord, ClearingShare, Settlement
from clearing.periods import parse_period
from clearing.statements.csv import render_statement_csv
from clearing.statements.data import statement_items, statement_of
from clearing.statements.pdf import render_statement_pdf
from core.errors import Conflict, NotFound
from core.unit_of_work import SqlUnitOfWork
from operators.models import Operator


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
        settlement = Settlement(period=period, operator_id=operator.id, currency=currency, total_minor=0,
                                sales_count=0, statement_csv="", created_at=now)
        session.add(settlement)
        try:
            session.flush()
        except IntegrityError:
            return None  # a concurrent run settled this operator first
        session.execute(
            update(ClearingShare)
            .where(
                ClearingShare.operator_id == operator.id,
                ClearingShare.settlement_id.is_(None),
                ClearingShare.sale_period <= period,
                ClearingShare.record_id.in_(select(ClearingRecord.id).where(ClearingRecord.currency == currency)),
            )
            .values(settlement_id=settlement.id)
            .execution_options(synchronize_session=False)
        )
        statement = statement_of(session, settlement)
        settlement.total_minor, settlement.sales_count = statement.total_minor, statement.item_count
        settlement.statement_csv = render_statement_csv(statement, statement_items(session, settlement))
        uow.commit()
        return settlement


def statement_file_name(settlement: Settlement, suffix: str) -> str:
    return f"statement_{settlement.operator_id}_{settlement.period}.{suffix}"


def write_statement(settlement: Settlement, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / statement_file_name(settlement, "csv")
    path.write_text(settlement.statement_csv, encoding="utf-8")
    return path


def write_statement_pdf(session: Session, settlement: Settlement, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / statement_file_name(settlement, "pdf")
    path.write_bytes(render_statement_pdf(statement_of(session, settlement)))
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
