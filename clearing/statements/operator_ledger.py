"""An operator's view of the ledger: its payable account's balance and entries, newest first, paged.

The operator sees only accounts that carry its ``operator_id`` (its payable,
and commission or fee accounts the apportionment books for it); the other side
of each transaction (PSP, wallets, other operators) stays hidden.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearing.models import LedgerAccount, LedgerEntry, LedgerTransaction
from core.errors import NotFound, ValidationFailed
from operators.models import Operator

MAX_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class AccountBalance:
    code: str
    name: str
    currency: str
    balance_minor: int  # credit balance (what is owed to the operator) is positive


@dataclass(frozen=True, slots=True)
class EntryView:
    id: int
    account_code: str
    reference: str
    description: str
    occurred_at: datetime
    amount_minor: int  # credit to the operator positive, debit negative
    currency: str


@dataclass(frozen=True, slots=True)
class OperatorLedger:
    operator_id: str
    accounts: tuple[AccountBalance, ...]
    entries: tuple[EntryView, ...]
    page: int
    page_size: int
    total_entries: int


def operator_ledger(session: Session, operator_id: str, page: int = 1, page_size: int = 50) -> OperatorLedger:
    if session.get(Operator, operator_id) is None:
        raise NotFound(f"no operator {operator_id}")
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"page must be >= 1 and per_page between 1 and {MAX_PAGE_SIZE}",
                               details=[{"field": "page"}])
    mine = LedgerAccount.operator_id == operator_id
    balances = session.execute(
        select(LedgerAccount.code, LedgerAccount.name, LedgerAccount.currency,
               func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id, isouter=True)
        .where(mine).group_by(LedgerAccount.code, LedgerAccount.name, LedgerAccount.currency)
        .order_by(LedgerAccount.code)
    ).all()
    total = session.scalar(select(func.count()).select_from(LedgerEntry)
                           .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id).where(mine)) or 0
    rows = session.execute(
        select(LedgerEntry, LedgerAccount.code, LedgerTransaction)
        .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id)
        .join(LedgerTransaction, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(mine)
        .order_by(LedgerTransaction.occurred_at.desc(), LedgerEntry.id.desc())
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    return OperatorLedger(
        operator_id=operator_id,
        accounts=tuple(AccountBalance(code, name, currency, -int(balance))
                       for code, name, currency, balance in balances),
        entries=tuple(EntryView(entry.id, code, tx.reference, tx.description, tx.occurred_at, -entry.amount_minor,
                                entry.currency) for entry, code, tx in rows),
        page=page, page_size=page_size, total_entries=int(total),
    )
