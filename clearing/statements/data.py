"""What a statement says, gathered from stored rows; CSV and PDF are renderings of it.

A statement is **rendered on request from stored data**: the clearing shares a
settlement took (they carry its id and never change afterwards), their
clearing records, the ``SalePaid`` payloads in the outbox (for the product)
and the ledger entries of those records' transactions (commission and
clearing fees). The same settlement therefore always renders the same
figures; only the CSV is also stored (``Settlement.statement_csv``) because
it was the first format and the API serves it as stored.

Products: ``single ticket``, ``pass`` or ``subscription``, with the rider
category (``single ticket, adult``); a refund counts under the product of the
sale it refunds; a sale whose event is no longer in the outbox is ``unknown``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearing.models import ClearingRecord, ClearingShare, LedgerAccount, LedgerEntry, Settlement
from core.money import split_minor
from core.outbox import SALE_PAID, SALE_REFUNDED, OutboxEvent
from operators.models import Operator

COMMISSION_PREFIX = "commission:"
CLEARING_FEES_PREFIX = "clearing_fees:"


@dataclass(frozen=True, slots=True)
class StatementItem:
    """One share of one cleared event: positive for a sale, negative for a refund."""

    sale_id: str
    kind: str  # "sale" | "refund"
    day: str  # ISO date (UTC) of the sale or refund
    sale_period: str
    sale_amount_minor: int  # the passenger's payment (sale), minus what was taken back (refund)
    share_minor: int
    product: str


@dataclass(frozen=True, slots=True)
class Subtotal:
    key: str  # product label or ISO day
    sales_count: int
    sales_minor: int
    refunds_minor: int  # <= 0

    @property
    def net_minor(self) -> int:
        return self.sales_minor + self.refunds_minor


@dataclass(frozen=True, slots=True)
class Statement:
    settlement_id: int | None
    operator_id: str
    operator_name: str
    iban: str | None
    bic: str | None
    period: str
    currency: str
    created_at: datetime | None
    items: tuple[StatementItem, ...]
    commission_minor: int  # the operator's part of the commission booked on its sales (see _deduction)
    clearing_fees_minor: int

    @property
    def sales_minor(self) -> int:
        return sum(i.share_minor for i in self.items if i.kind == "sale")

    @property
    def refunds_minor(self) -> int:
        return sum(i.share_minor for i in self.items if i.kind == "refund")

    @property
    def total_minor(self) -> int:
        """Net shares: what the operator is paid (commission and fees are already out of the shares)."""
        return self.sales_minor + self.refunds_minor

    @property
    def by_product(self) -> tuple[Subtotal, ...]:
        return subtotals(self.items, lambda item: item.product)

    @property
    def by_day(self) -> tuple[Subtotal, ...]:
        return subtotals(self.items, lambda item: item.day)


def subtotals(items: Sequence[StatementItem], key: Any) -> tuple[Subtotal, ...]:
    groups: dict[str, list[StatementItem]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return tuple(
        Subtotal(name, sum(1 for i in group if i.kind == "sale"),
                 sum(i.share_minor for i in group if i.kind == "sale"),
                 sum(i.share_minor for i in group if i.kind == "refund"))
        for name, group in sorted(groups.items())
    )


def product_label(payload: dict[str, Any] | None) -> str:
    if payload is None:
        return "unknown"
    kind = "subscription" if payload.get("subscription_id") else "pass" if payload.get("pass_id") else "single ticket"
    category = payload.get("rider_category")
    return f"{kind}, {category}" if category else kind


IN_LIST_CHUNK = 10_000  # PostgreSQL takes at most 65,535 parameters per statement


def _chunks(values: set[Any]) -> list[list[Any]]:
    ordered = sorted(values)
    return [ordered[i:i + IN_LIST_CHUNK] for i in range(0, len(ordered), IN_LIST_CHUNK)]


def _products(session: Session, sale_ids: set[str]) -> dict[str, str]:
    products: dict[str, str] = {}
    for chunk in _chunks(sale_ids):
        rows = session.execute(
            select(ClearingRecord.sale_id, OutboxEvent.payload)
            .join(OutboxEvent, OutboxEvent.id == ClearingRecord.event_id, isouter=True)
            .where(ClearingRecord.sale_id.in_(chunk), ClearingRecord.event_type == SALE_PAID)
        )
        products.update((sale_id, product_label(payload)) for sale_id, payload in rows)
    return products


def _deduction(session: Session, prefix: str, operator_id: str, records: dict[int, int]) -> int:
    """The operator's part of what the ``commission:*`` / ``clearing_fees:*`` accounts got from these sales.

    ``records``: transaction id -> clearing record id. Clearing books commission
    and fees once per sale, on association accounts (no ``operator_id``), before
    the operators' shares; each operator's part is split from them in proportion
    to its share of that sale (``split_minor``, operators in id order), so the
    parts of all operators add up to what was booked. An account that carries an
    ``operator_id`` counts for that operator only. Credits are negative in the
    ledger; the statement shows the amount booked (positive).
    """
    if not records:
        return 0
    booked = [
        row
        for chunk in _chunks(set(records))
        for row in session.execute(
            select(LedgerEntry.transaction_id, LedgerAccount.operator_id, func.sum(LedgerEntry.amount_minor))
            .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id)
            .where(LedgerAccount.code.startswith(prefix), LedgerEntry.transaction_id.in_(chunk))
            .group_by(LedgerEntry.transaction_id, LedgerAccount.operator_id)
        ).all()
    ]
    total = 0
    for transaction_id, owner, amount in booked:
        amount = -int(amount)
        if owner is not None:
            total += amount if owner == operator_id else 0
            continue
        shares: dict[str, int] = {op: int(minor) for op, minor in session.execute(
            select(ClearingShare.operator_id, ClearingShare.amount_minor)
            .where(ClearingShare.record_id == records[transaction_id]).order_by(ClearingShare.operator_id)
        )}
        if operator_id in shares:
            parts = split_minor(amount, [abs(v) for v in shares.values()])
            total += parts[list(shares).index(operator_id)]
    return total


def gather_items(session: Session, share_filter: Any) -> tuple[list[StatementItem], dict[int, int]]:
    rows = session.execute(
        select(ClearingShare, ClearingRecord)
        .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
        .where(share_filter)
        .order_by(ClearingRecord.occurred_at, ClearingRecord.id)
    ).all()
    products = _products(session, {record.sale_id for _share, record in rows})
    items = [
        StatementItem(
            sale_id=record.sale_id, kind="refund" if record.event_type == SALE_REFUNDED else "sale",
            day=record.occurred_at.date().isoformat(), sale_period=record.sale_period,
            sale_amount_minor=record.amount_minor, share_minor=share.amount_minor,
            product=products.get(record.sale_id, "unknown"),
        )
        for share, record in rows
    ]
    return items, {record.transaction_id: record.id for _share, record in rows}


def build_statement(
    session: Session, operator: Operator, period: str, currency: str, share_filter: Any,
    settlement: Settlement | None = None,
) -> Statement:
    items, transactions = gather_items(session, share_filter)
    return Statement(
        settlement_id=settlement.id if settlement else None, operator_id=operator.id, operator_name=operator.name,
        iban=operator.iban, bic=operator.bic, period=period, currency=currency,
        created_at=settlement.created_at if settlement else None, items=tuple(items),
        commission_minor=_deduction(session, COMMISSION_PREFIX, operator.id, transactions),
        clearing_fees_minor=_deduction(session, CLEARING_FEES_PREFIX, operator.id, transactions),
    )


def statement_of(session: Session, settlement: Settlement) -> Statement:
    """The statement of a stored settlement, from the shares it took."""
    operator = session.get(Operator, settlement.operator_id)
    assert operator is not None
    return build_statement(session, operator, settlement.period, settlement.currency,
                           (ClearingShare.settlement_id == settlement.id)
                           & (ClearingShare.operator_id == settlement.operator_id), settlement)
