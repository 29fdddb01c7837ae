"""Reconciliation: money in must equal money distributed, to the cent.

``payments - refunds = operator shares + commissions + fees`` for the sales
of a period. Payments come from the caller (ticketing owns them); clearing
contributes what it booked.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearing.ledger import ledger_total
from clearing.models import ClearingRecord, ClearingShare
from core.outbox import SALE_PAID


@dataclass(frozen=True, slots=True)
class Reconciliation:
    period: str
    currency: str
    payments_minor: int
    refunds_minor: int
    operator_shares_minor: int
    commissions_minor: int
    fees_minor: int
    cleared_sales_minor: int
    ledger_total_minor: int

    @property
    def difference_minor(self) -> int:
        return (self.payments_minor - self.refunds_minor
                - self.operator_shares_minor - self.commissions_minor - self.fees_minor)


def reconcile(
    session: Session, period: str, currency: str, payments_minor: int, refunds_minor: int = 0
) -> Reconciliation:
    shares = session.scalar(
        select(func.coalesce(func.sum(ClearingShare.amount_minor), 0))
        .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
        .where(ClearingRecord.sale_period == period, ClearingRecord.currency == currency)
    )
    cleared = session.scalar(
        select(func.coalesce(func.sum(ClearingRecord.amount_minor), 0))
        .where(ClearingRecord.sale_period == period, ClearingRecord.currency == currency,
               ClearingRecord.event_type == SALE_PAID)
    )
    return Reconciliation(
        period=period, currency=currency, payments_minor=payments_minor, refunds_minor=refunds_minor,
        operator_shares_minor=int(shares or 0), commissions_minor=0, fees_minor=0,
        cleared_sales_minor=int(cleared or 0), ledger_total_minor=ledger_total(session),
    )
