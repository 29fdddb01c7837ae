"""Double-entry ledger. Entries are immutable; balances are sums of entries.

Sign convention: a positive amount debits the account, a negative one credits
it, so every transaction sums to zero and so does the whole ledger.

Each transaction is sealed into one of the hash chains as it is booked (clearing/ledger_chain.py);
the application never updates or deletes ledger rows (guard in clearing/models.py):
a correction is ``reverse_transaction``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearing.ledger_chain import seal
from clearing.models import LedgerAccount, LedgerEntry, LedgerTransaction
from core.db import utcnow
from core.errors import Conflict, NotFound


class UnbalancedTransaction(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Line:
    account: LedgerAccount
    amount_minor: int


def psp_receivable_code(currency: str) -> str:
    return f"psp_receivable:{currency}"


def operator_payable_code(operator_id: str, currency: str) -> str:
    return f"operator_payable:{operator_id}:{currency}"


def get_or_create_account(
    session: Session, code: str, name: str, kind: str, currency: str, operator_id: str | None = None
) -> LedgerAccount:
    account = session.scalars(select(LedgerAccount).where(LedgerAccount.code == code)).one_or_none()
    if account is not None:
        return account
    try:
        with session.begin_nested():  # another worker may create it at the same moment
            account = LedgerAccount(code=code, name=name, kind=kind, currency=currency, operator_id=operator_id)
            session.add(account)
    except IntegrityError:
        account = session.scalars(select(LedgerAccount).where(LedgerAccount.code == code)).one()
    return account


def psp_receivable(session: Session, currency: str) -> LedgerAccount:
    return get_or_create_account(session, psp_receivable_code(currency), "Card payments receivable (PSP)", "asset",
                                 currency)


def wallet_liability_code(currency: str) -> str:
    return f"wallet_liability:{currency}"


def wallet_liability(session: Session, currency: str) -> LedgerAccount:
    return get_or_create_account(session, wallet_liability_code(currency), "Prepaid wallets owed to passengers",
                                 "liability", currency)


def refund_fees_code(currency: str) -> str:
    return f"refund_fees:{currency}"


def refund_fees(session: Session, currency: str) -> LedgerAccount:
    """Refund fees: kept by the association, not by the operators (revenue)."""
    return get_or_create_account(session, refund_fees_code(currency), "Refund fees kept by the association",
                                 "revenue", currency)


def operator_payable(session: Session, operator_id: str, currency: str) -> LedgerAccount:
    return get_or_create_account(session, operator_payable_code(operator_id, currency),
                                 f"Payable to operator {operator_id}", "liability", currency, operator_id)


def post(
    session: Session, reference: str, description: str, occurred_at: datetime, lines: Sequence[Line],
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    """Book one balanced transaction; refuses lines that do not sum to zero per currency.

    Seals it into a hash chain: this locks a chain head (one no other writer
    holds, while there is one) until the session commits.
    """
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.account.currency] = totals.get(line.account.currency, 0) + line.amount_minor
    unbalanced = {cur: total for cur, total in totals.items() if total != 0}
    if unbalanced or not lines:
        raise UnbalancedTransaction(f"transaction {reference} does not balance: {unbalanced or 'no lines'}")
    chain, sequence, digest = seal(session, reference, occurred_at, [
        (line.account.code, line.amount_minor, line.account.currency) for line in lines if line.amount_minor != 0
    ])
    transaction = LedgerTransaction(reference=reference, description=description, occurred_at=occurred_at,
                                    chain=chain, sequence=sequence, hash=digest,
                                    reverses_id=reverses.id if reverses else None)
    session.add(transaction)
    session.flush()
    session.add_all(
        LedgerEntry(transaction_id=transaction.id, account_id=line.account.id, amount_minor=line.amount_minor,
                    currency=line.account.currency)
        for line in lines
        if line.amount_minor != 0
    )
    return transaction


def reversal_reference(reference: str) -> str:
    return f"reversal:{reference}"


def reverse_transaction(
    session: Session, reference: str, reason: str, now: datetime | None = None
) -> LedgerTransaction:
    """Correct a booked transaction by posting its negated entries (``reversal:{reference}``).

    The original stays as it was; a transaction is reversed at most once.
    """
    original = session.scalars(select(LedgerTransaction).where(LedgerTransaction.reference == reference)) \
        .one_or_none()
    if original is None:
        raise NotFound(f"no ledger transaction {reference}")
    if session.scalars(select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == original.id)).first():
        raise Conflict(f"ledger transaction {reference} is already reversed", code="already_reversed")
    rows = session.execute(
        select(LedgerAccount, LedgerEntry.amount_minor)
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerEntry.transaction_id == original.id)
        .order_by(LedgerEntry.id)
    ).all()
    return post(session, reversal_reference(reference), f"Reversal of {reference}: {reason}", now or utcnow(),
                [Line(account, -amount) for account, amount in rows], reverses=original)


def ledger_total(session: Session) -> int:
    """Sum of all entries: zero when the books balance."""
    return int(session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))) or 0)


def balances(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(LedgerAccount.code, func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id, isouter=True)
        .group_by(LedgerAccount.code)
        .order_by(LedgerAccount.code)
    )
    return {code: int(total) for code, total in rows}
