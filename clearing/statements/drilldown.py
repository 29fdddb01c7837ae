"""The sales behind a statement figure: a day's or a product's cleared items with their legs and the share.

The operator portal opens a figure of a statement (a day of the chart, a
product line) and lists what makes it up: each cleared sale or refund the
settlement took for that operator, with the legs of the sale as clearing saw
them (the ``SalePaid`` payload: operator, route, standalone fare, distance,
zones), the rule that split it and the operator's share. The keys are those
of ``clearing.statements.data`` (UTC day of the item, product label), so the
rows of a figure add up to that figure.

Other operators' shares of a sale are not shown: an operator sees its own
share and the legs (the weights of the split), never another's money.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearing.apportionment import STANDALONE_FARES
from clearing.models import ClearingRecord, ClearingShare, Settlement
from clearing.statements.data import product_label
from core.errors import ValidationFailed
from core.outbox import SALE_PAID, SALE_REFUNDED, OutboxEvent

PAGE_SIZE = 100  # a figure with more items is shown in pages


@dataclass(frozen=True, slots=True)
class SaleLegView:
    operator_id: str
    route_id: str | None
    standalone_minor: int
    distance_m: int | None
    zones: int


@dataclass(frozen=True, slots=True)
class FigureItem:
    """One cleared sale or refund behind a figure, with the operator's share of it."""

    sale_id: str
    kind: str  # "sale" | "refund"
    occurred_at: datetime
    day: str
    product: str
    sale_amount_minor: int
    share_minor: int
    method: str  # the apportionment method that split the sale
    legs: tuple[SaleLegView, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """The items of one figure (all of the settlement when neither day nor product is given)."""

    settlement_id: int
    operator_id: str
    currency: str
    day: str | None
    product: str | None
    items: tuple[FigureItem, ...]  # the page asked for
    count: int  # all items of the figure
    share_minor: int  # the figure: sum of the operator's shares over all its items
    page: int
    pages: int


def _day_range(day: str) -> tuple[datetime, datetime]:
    try:
        start = datetime.combine(date.fromisoformat(day), time(0), tzinfo=UTC)
    except ValueError:
        raise ValidationFailed(f"day must look like 2026-11-24, not {day!r}", details=[{"field": "day"}]) from None
    return start, start + timedelta(days=1)


def _sale_payloads(session: Session, sale_ids: set[str]) -> dict[str, dict[str, Any]]:
    payloads: dict[str, dict[str, Any]] = {}
    ordered = sorted(sale_ids)
    for offset in range(0, len(ordered), 10_000):  # PostgreSQL's parameter limit
        rows = session.execute(
            select(ClearingRecord.sale_id, OutboxEvent.payload)
            .join(OutboxEvent, OutboxEvent.id == ClearingRecord.event_id)
            .where(ClearingRecord.sale_id.in_(ordered[offset:offset + 10_000]),
                   ClearingRecord.event_type == SALE_PAID)
        )
        payloads.update((sale_id, payload) for sale_id, payload in rows)
    return payloads


def _legs(payload: dict[str, Any] | None) -> tuple[SaleLegView, ...]:
    if not payload:
        return ()
    return tuple(
        SaleLegView(str(leg.get("operator_id")), leg.get("route_id"), int(leg.get("standalone_minor") or 0),
                    None if leg.get("distance_m") is None else int(leg["distance_m"]), int(leg.get("zones") or 0))
        for leg in payload.get("legs") or ()
    )


def figure_of(
    session: Session, settlement: Settlement, day: str | None = None, product: str | None = None,
    page: int = 1, page_size: int = PAGE_SIZE,
) -> Figure:
    """What makes up a figure of ``settlement``: the items of ``day`` (UTC, ISO) and/or ``product`` (label)."""
    if page < 1:
        raise ValidationFailed("page must be 1 or more", details=[{"field": "page"}])
    query = (
        select(ClearingShare.amount_minor, ClearingRecord)
        .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
        .where(ClearingShare.settlement_id == settlement.id, ClearingShare.operator_id == settlement.operator_id)
        .order_by(ClearingRecord.occurred_at, ClearingRecord.id)
    )
    if day:
        start, end = _day_range(day)
        query = query.where(ClearingRecord.occurred_at >= start, ClearingRecord.occurred_at < end)
    rows = session.execute(query).all()
    payloads = _sale_payloads(session, {record.sale_id for _share, record in rows})
    items = []
    for share_minor, record in rows:
        payload = payloads.get(record.sale_id)
        label = product_label(payload)
        if product is not None and label != product:
            continue
        items.append(FigureItem(
            sale_id=record.sale_id, kind="refund" if record.event_type == SALE_REFUNDED else "sale",
            occurred_at=record.occurred_at, day=record.occurred_at.date().isoformat(), product=label,
            sale_amount_minor=record.amount_minor, share_minor=share_minor,
            method=str(((payload or {}).get("apportionment") or {}).get("method") or STANDALONE_FARES),
            legs=_legs(payload),
        ))
    pages = max(1, -(-len(items) // page_size))
    first = (min(page, pages) - 1) * page_size
    return Figure(
        settlement_id=settlement.id, operator_id=settlement.operator_id, currency=settlement.currency, day=day,
        product=product, items=tuple(items[first:first + page_size]), count=len(items),
        share_minor=sum(item.share_minor for item in items), page=min(page, pages), pages=pages,
    )


@dataclass(frozen=True, slots=True)
class OpenPeriod:
    """Shares of an operator no settlement has taken yet, by the period of their sale."""

    period: str
    currency: str
    items: int
    share_minor: int


def open_periods(session: Session, operator_id: str) -> tuple[OpenPeriod, ...]:
    """What the next settlement of ``operator_id`` will take so far (sales, and refunds as negative shares)."""
    rows = session.execute(
        select(ClearingShare.sale_period, ClearingRecord.currency, func.count(), func.sum(ClearingShare.amount_minor))
        .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
        .where(ClearingShare.operator_id == operator_id, ClearingShare.settlement_id.is_(None))
        .group_by(ClearingShare.sale_period, ClearingRecord.currency)
        .order_by(ClearingShare.sale_period.desc(), ClearingRecord.currency)
    ).all()
    return tuple(OpenPeriod(period, currency, int(count), int(total or 0)) for period, currency, count, total in rows)
