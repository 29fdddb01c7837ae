"""What a statement says, gathered from stored rows; CSV and PDF are renderings of it.

A statement is **rendered on request from stored data**: the clearing shares a
settlement took (they carry its id and never change afterwards), their
clearing records, the ``SalePaid`` payloads in the outbox (for the product)
and the ledger entries of those records' transactions (commission and
clearing fees). The same settlement therefore always renders the same
figures; only the CSV is also stored (``Settlement.statement_csv``) because
it was the first format and the API serves it as stored.

Totals and the per-product and per-day subtotals are aggregated by the
database (one ``GROUP BY`` over the settlement's shares); only the CSV's
per-share lines are read row by row (``statement_items``, streamed). Settling
100,000 sales took 54 s when every share was loaded as an ORM object and the
commission split queried per sale (docs/benchmarks.md).

Products: ``single ticket``, ``pass`` or ``subscription``, with the rider
category (``single ticket, adult``); a refund counts under the product of the
sale it refunds; a sale whose event is no longer in the outbox is ``unknown``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, column, func, literal, or_, select, true
from sqlalchemy.orm import Session, aliased

from clearing.models import ClearingRecord, ClearingShare, LedgerAccount, LedgerEntry, Settlement
from core.money import split_minor
from core.outbox import SALE_PAID, SALE_REFUNDED, OutboxEvent
from operators.models import Operator

COMMISSION_PREFIX = "commission:"
CLEARING_FEES_PREFIX = "clearing_fees:"
STREAM_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class StatementItem:
    """One share of one cleared event: positive for a sale, negative for a refund."""

    sale_id: str
    kind: str  # "sale" | "refund"
    day: str  # ISO date (UTC) of the sale or refund
    sale_period: str
    sale_amount_minor: int  # the passenger's payment (sale), minus what was taken back (refund)
    share_minor: int


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
    item_count: int  # shares the settlement took: sales and refunds
    by_product: tuple[Subtotal, ...]
    by_day: tuple[Subtotal, ...]
    commission_minor: int  # the operator's part of the commission booked on its sales (see _deductions)
    clearing_fees_minor: int

    @property
    def sales_minor(self) -> int:
        return sum(group.sales_minor for group in self.by_day)

    @property
    def refunds_minor(self) -> int:
        return sum(group.refunds_minor for group in self.by_day)

    @property
    def total_minor(self) -> int:
        """Net shares: what the operator is paid (commission and fees are already out of the shares)."""
        return self.sales_minor + self.refunds_minor


def product_label(payload: dict[str, Any] | None) -> str:
    """The label in Python (kept beside ``_product_label_sql``, which must agree with it; tested)."""
    if payload is None:
        return "unknown"
    kind = "subscription" if payload.get("subscription_id") else "pass" if payload.get("pass_id") else "single ticket"
    category = payload.get("rider_category")
    return f"{kind}, {category}" if category else kind


def _present(value: ColumnElement[Any]) -> ColumnElement[bool]:
    return and_(value.is_not(None), value != "")


def _product_label_sql(subscription_id: Any, pass_id: Any, rider_category: Any,
                       payload_missing: ColumnElement[bool]) -> ColumnElement[str]:
    """``product_label`` from the payload's three fields (text or NULL) in SQL."""
    kind = case((_present(subscription_id), literal("subscription")), (_present(pass_id), literal("pass")),
                else_=literal("single ticket"))
    return case((payload_missing, literal("unknown")),
                (_present(rider_category), kind + literal(", ") + rider_category), else_=kind)


def product_label_column(session: Session, query: Select[Any]) -> tuple[Select[Any], ColumnElement[str]]:
    """``query`` (which selects from ``OutboxEvent``) joined to what the label needs, and the label.

    PostgreSQL parses each ``json`` payload once (``json_to_record``) instead of
    once per field (``->>``), which made the per-product subtotals take 40 % longer.
    """
    payload = OutboxEvent.payload
    if session.get_bind().dialect.name == "postgresql":
        fields = func.json_to_record(payload).table_valued(
            column("subscription_id", String), column("pass_id", String), column("rider_category", String),
        ).render_derived(name="product_fields", with_types=True).lateral()
        label = _product_label_sql(fields.c.subscription_id, fields.c.pass_id, fields.c.rider_category,
                                   payload.is_(None))
        return query.join(fields, true(), isouter=True), label
    label = _product_label_sql(payload["subscription_id"].as_string(), payload["pass_id"].as_string(),
                               payload["rider_category"].as_string(), payload.is_(None))
    return query, label


def _utc_day(session: Session, column: Any) -> ColumnElement[str]:
    """ISO date (UTC) of a ``UtcDateTime`` column: SQLite stores naive UTC text, PostgreSQL timestamptz."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column)


def _settlement_shares(settlement: Settlement) -> ColumnElement[bool]:
    return and_(ClearingShare.settlement_id == settlement.id, ClearingShare.operator_id == settlement.operator_id)


def _subtotals(session: Session, settlement: Settlement) -> tuple[int, tuple[Subtotal, ...], tuple[Subtotal, ...]]:
    """Item count, per-product and per-day subtotals: one ``GROUP BY`` (product, day, sale or refund)."""
    sale_record = aliased(ClearingRecord)
    shares = (
        select(ClearingShare.amount_minor).select_from(ClearingShare)
        .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
        .join(sale_record, and_(sale_record.sale_id == ClearingRecord.sale_id, sale_record.event_type == SALE_PAID),
              isouter=True)  # a sale_id has at most one SalePaid record (its ledger reference is unique)
        .join(OutboxEvent, OutboxEvent.id == sale_record.event_id, isouter=True)
        .where(_settlement_shares(settlement))
    )
    shares, label = product_label_column(session, shares)
    product = label.label("product")
    day = _utc_day(session, ClearingRecord.occurred_at).label("day")
    refund = (ClearingRecord.event_type == SALE_REFUNDED).label("refund")
    rows = session.execute(
        shares.with_only_columns(product, day, refund, func.count(),
                                 func.coalesce(func.sum(ClearingShare.amount_minor), 0), maintain_column_froms=True)
        .group_by(product, day, refund)
    ).all()
    products: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    days: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    count = 0
    for label, day_key, is_refund, items, share_sum in rows:
        count += int(items)
        for group in (products[label], days[day_key]):
            if is_refund:
                group[2] += int(share_sum)
            else:
                group[0] += int(items)
                group[1] += int(share_sum)
    return count, _sorted_subtotals(products), _sorted_subtotals(days)


def _sorted_subtotals(groups: dict[str, list[int]]) -> tuple[Subtotal, ...]:
    return tuple(Subtotal(key, sales, sales_minor, refunds_minor)
                 for key, (sales, sales_minor, refunds_minor) in sorted(groups.items()))


def _deductions(session: Session, settlement: Settlement) -> dict[str, int]:
    """The operator's part of what the ``commission:*`` / ``clearing_fees:*`` accounts got from these items.

    Clearing books commission and fees once per sale, on association accounts
    (no ``operator_id``), before the operators' shares; each operator's part is
    split from them in proportion to its share of that sale (``split_minor``,
    operators in id order), so the parts of all operators add up to what was
    booked. An account that carries an ``operator_id`` counts for that operator
    only. Credits are negative in the ledger; the statement shows the amount
    booked (positive). Two queries for the whole statement: the booked amounts
    per record, and the shares of the records whose amount must be split.
    """
    accounts = {
        account_id: (prefix, owner)
        for account_id, code, owner in session.execute(
            select(LedgerAccount.id, LedgerAccount.code, LedgerAccount.operator_id)
            .where(or_(LedgerAccount.code.startswith(COMMISSION_PREFIX),
                       LedgerAccount.code.startswith(CLEARING_FEES_PREFIX))))
        for prefix in (COMMISSION_PREFIX if code.startswith(COMMISSION_PREFIX) else CLEARING_FEES_PREFIX,)
    }
    totals = {COMMISSION_PREFIX: 0, CLEARING_FEES_PREFIX: 0}
    if not accounts:
        return totals
    booked_records = (
        select(ClearingRecord.id.label("record_id"), LedgerEntry.account_id, LedgerEntry.amount_minor)
        .select_from(ClearingShare)
        .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
        .join(LedgerEntry, LedgerEntry.transaction_id == ClearingRecord.transaction_id)
        .where(_settlement_shares(settlement), LedgerEntry.account_id.in_(list(accounts)))
    ).subquery()
    booked: dict[tuple[int, str, str | None], int] = defaultdict(int)
    for record_id, account_id, amount in session.execute(
            select(booked_records.c.record_id, booked_records.c.account_id,
                   func.sum(booked_records.c.amount_minor))
            .group_by(booked_records.c.record_id, booked_records.c.account_id)):
        prefix, owner = accounts[account_id]
        booked[(record_id, prefix, owner)] -= int(amount)
    operator_id = settlement.operator_id
    shares: dict[int, dict[str, int]] = defaultdict(dict)
    if any(owner is None for _record, _prefix, owner in booked):
        for record_id, op, minor in session.execute(
                select(ClearingShare.record_id, ClearingShare.operator_id, ClearingShare.amount_minor)
                .where(ClearingShare.record_id.in_(select(booked_records.c.record_id).distinct()))
                .order_by(ClearingShare.record_id, ClearingShare.operator_id)):
            shares[record_id][op] = int(minor)
    for (record_id, prefix, owner), amount in booked.items():
        if owner is not None:
            totals[prefix] += amount if owner == operator_id else 0
            continue
        of_sale = shares[record_id]
        if operator_id in of_sale:
            parts = split_minor(amount, [abs(v) for v in of_sale.values()])
            totals[prefix] += parts[list(of_sale).index(operator_id)]
    return totals


def statement_items(session: Session, settlement: Settlement) -> Iterator[StatementItem]:
    """The shares the settlement took, one item each, in the order they happened (streamed, no ORM objects)."""
    rows = session.connection().execute(
        select(ClearingRecord.sale_id, ClearingRecord.event_type, ClearingRecord.occurred_at,
               ClearingRecord.sale_period, ClearingRecord.amount_minor, ClearingShare.amount_minor)
        .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
        .where(_settlement_shares(settlement))
        .order_by(ClearingRecord.occurred_at, ClearingRecord.id)
        .execution_options(yield_per=STREAM_ROWS)
    )
    for sale_id, event_type, occurred_at, sale_period, amount, share in rows:
        yield StatementItem(sale_id=sale_id, kind="refund" if event_type == SALE_REFUNDED else "sale",
                            day=occurred_at.date().isoformat(), sale_period=sale_period,
                            sale_amount_minor=amount, share_minor=share)


def statement_of(session: Session, settlement: Settlement) -> Statement:
    """The statement of a stored settlement, from the shares it took."""
    operator = session.get(Operator, settlement.operator_id)
    assert operator is not None
    count, by_product, by_day = _subtotals(session, settlement)
    deductions = _deductions(session, settlement)
    return Statement(
        settlement_id=settlement.id, operator_id=operator.id, operator_name=operator.name, iban=operator.iban,
        bic=operator.bic, period=settlement.period, currency=settlement.currency,
        created_at=settlement.created_at, item_count=count, by_product=by_product, by_day=by_day,
        commission_minor=deductions[COMMISSION_PREFIX], clearing_fees_minor=deductions[CLEARING_FEES_PREFIX],
    )
