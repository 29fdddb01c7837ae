"""Reconciliation: money in must equal money distributed, to the cent.

``payments - refunds = operator shares + commissions + fees`` for a period.
Payments and refunds (what went back to passengers) come from the caller
(ticketing owns them); clearing contributes what it booked: the operators'
shares of the period's sales net of the shares reversed by the period's
refunds, and the refund fees the association kept (from the ledger).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearing.ledger import ledger_total, refund_fees_code
from clearing.models import ClearingRecord, ClearingShare, LedgerAccount, LedgerEntry
from core.outbox import SALE_PAID, SALE_REFUNDED


@dataclass(frozen=True, slots=True)
class Reconciliation:
    period: str
    currency: str
    payments_minor: int
    refunds_minor: int
    operator_shares_minor: int  # net: the sales' shares minus the reversed ones
    commissions_minor: int
    fees_minor: int  # refund fees kept by the association
    cleared_sales_minor: int
    ledger_total_minor: int
    reversed_shares_minor: int = 0  # taken back from operators by the period's refunds (included above)

    @property
    def difference_minor(self) -> int:
        return (self.payments_minor - self.refunds_minor
                - self.operator_shares_minor - self.commissions_minor - self.fees_minor)


def reconcile(
    session: Session, period: str, currency: str, payments_minor: int, refunds_minor: int = 0
) -> Reconciliation:
    in_period = (ClearingRecord.sale_period == period) & (ClearingRecord.currency == currency)
    shares = session.scalar(
        select(func.coalesce(func.sum(ClearingShare.amount_minor), 0))
        .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
        .where(in_period)
    )
    reversed_shares = session.scalar(
        select(func.coalesce(func.sum(ClearingShare.amount_minor), 0))
        .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
        .where(in_period, ClearingRecord.event_type == SALE_REFUNDED)
    )
    fees = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id)
        .join(ClearingRecord, ClearingRecord.transaction_id == LedgerEntry.transaction_id)
        .where(in_period, ClearingRecord.event_type == SALE_REFUNDED,
               LedgerAccount.code == refund_fees_code(currency))
    )
    cleared = session.scalar(
        select(func.coalesce(func.sum(ClearingRecord.amount_minor), 0))
        .where(in_period, ClearingRecord.event_type == SALE_PAID)
    )

    def taken_first(code_matches: Any) -> int:
        """Commission and clearing fee booked by this period's sales (credits, so negated)."""
        total = session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
            .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id)
            .join(ClearingRecord, ClearingRecord.transaction_id == LedgerEntry.transaction_id)
            .where(in_period, code_matches)
        )
        return -int(total or 0)

    commissions = taken_first(LedgerAccount.code.startswith("commission:")
                              & LedgerAccount.code.endswith(f":{currency}"))
    clearing_fees = taken_first(LedgerAccount.code == f"clearing_fees:{currency}")
    return Reconciliation(
        period=period, currency=currency, payments_minor=payments_minor, refunds_minor=refunds_minor,
        operator_shares_minor=int(shares or 0), commissions_minor=commissions,
        fees_minor=-int(fees or 0) + clearing_fees,
        cleared_sales_minor=int(cleared or 0), ledger_total_minor=ledger_total(session),
        reversed_shares_minor=-int(reversed_shares or 0),
    )
