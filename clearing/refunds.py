"""Clearing a ``SaleRefunded`` event: take the refund back from the operators of the original sale.

A refund consumes ``amount + fee`` of the sale. The operators give all of it
back, in proportion to their shares of the original sale (largest remainder,
``core.money.split_minor``, weights = the original shares, operators in id
order) but never more than an operator still holds of that sale after earlier
refunds; what one cannot give goes to the others in the same proportion. The
passenger gets ``amount``; the association keeps ``fee``.

Ledger, one balanced transaction ``refund:{refund_id}``: credit the PSP
receivable (card) or the wallet liability (wallet) with ``amount``, debit each
operator's payable with what it gives back, credit ``refund_fees:{currency}``
with ``fee``. Shares: one negative ``ClearingShare`` per operator in the
refund's period, so the next settlement subtracts it; the record's
``amount_minor`` is minus everything the operators gave back (the sum of its shares).

A refund that arrives before its sale was cleared raises ``SaleNotClearedYet``;
the transaction changed nothing and the event is cleared again later (see there).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from clearing.apportionment import Share
from clearing.ledger import Line, operator_payable, post, psp_receivable, refund_fees, wallet_liability
from clearing.models import ClearingRecord, ClearingShare, LedgerAccount, LedgerEntry
from clearing.periods import period_of
from core.money import split_minor
from core.outbox import SALE_PAID, SALE_REFUNDED


class SaleNotClearedYet(OperationalError):
    """The refund came before its sale was cleared (events of one sale can overtake each other).

    An ``OperationalError`` on purpose: the Celery task ``farebridge.clear_event``
    retries exactly those (``autoretry_for``, exponential backoff up to 60 s, at
    most 10 times), and the handler's transaction is rolled back, so a retry
    starts clean. Run eagerly (no broker), the error reaches the outbox relay,
    which keeps the event pending and publishes it again on its next run.
    """

    def __init__(self, sale_id: str) -> None:
        self.sale_id = sale_id
        super().__init__(None, None, LookupError(f"sale {sale_id} is not cleared yet"))

    def __str__(self) -> str:
        return f"the refunded sale {self.sale_id} is not cleared yet; the refund is cleared after it"

    def __reduce__(self) -> tuple[type[SaleNotClearedYet], tuple[str]]:
        return (type(self), (self.sale_id,))


def reverse_shares(amount_minor: int, original: Mapping[str, int], remaining: Mapping[str, int]) -> tuple[Share, ...]:
    """Who gives back how much of ``amount_minor`` (positive amounts, operators in id order).

    ``original``: each operator's share of the sale (the weights); ``remaining``:
    what it still holds of that sale. Nobody gives back more than it holds; the
    parts always sum to ``amount_minor``.
    """
    operators = sorted(original)
    room = {op: max(0, remaining.get(op, 0)) for op in operators}
    if amount_minor < 0:
        raise ValueError("a refund takes back a positive amount")
    if amount_minor > sum(room.values()):
        raise ValueError(f"cannot take back {amount_minor}: the operators hold only {sum(room.values())} of the sale")
    taken = dict.fromkeys(operators, 0)
    left = amount_minor
    while left:
        # Each round either places everything or fills at least one operator, who then drops out.
        open_ = [op for op in operators if taken[op] < room[op]]
        weights = [original[op] for op in open_]
        if not any(weights):
            weights = [room[op] - taken[op] for op in open_]
        for op, part in zip(open_, split_minor(left, weights), strict=True):
            give = min(part, room[op] - taken[op])
            taken[op] += give
            left -= give
    return tuple(Share(op, taken[op], original[op]) for op in operators)


def _lock_cleared_sale(session: Session, sale_id: str) -> ClearingRecord:
    """The sale's record, locked so that refunds of one sale are cleared one after the other.

    PostgreSQL: ``FOR UPDATE``. SQLite has no row locks: a first write takes the
    database's write lock (other writers wait on the busy timeout).
    """
    sale = (ClearingRecord.sale_id == sale_id) & (ClearingRecord.event_type == SALE_PAID)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(ClearingRecord).where(sale).values(sale_id=ClearingRecord.sale_id)
                        .execution_options(synchronize_session=False))
    record = session.scalars(select(ClearingRecord).where(sale).with_for_update()).one_or_none()
    if record is None:
        raise SaleNotClearedYet(sale_id)
    return record


def _account_by_code(session: Session, code: str) -> LedgerAccount:
    return session.scalars(select(LedgerAccount).where(LedgerAccount.code == code)).one()


def held_of_sale(session: Session, sale_id: str) -> dict[str, int]:
    """What each operator holds of a sale: its share net of the refunds cleared so far."""
    rows = session.execute(
        select(ClearingShare.operator_id, func.sum(ClearingShare.amount_minor))
        .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
        .where(ClearingRecord.sale_id == sale_id, ClearingRecord.event_type.in_((SALE_PAID, SALE_REFUNDED)))
        .group_by(ClearingShare.operator_id)
    )
    return {operator_id: int(total) for operator_id, total in rows}


def deductions_of_sale(session: Session, sale_id: str, currency: str) -> tuple[dict[str, int], dict[str, int]]:
    """Commission and clearing fee a sale paid, by account code: (taken by the sale, still held after refunds).

    A refund takes them back in proportion too, as if they were parties of the
    split: otherwise a full refund would ask the operators for money they never got.
    """
    def credits(event_types: tuple[str, ...]) -> dict[str, int]:
        rows = session.execute(
            select(LedgerAccount.code, func.sum(LedgerEntry.amount_minor))
            .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
            .join(ClearingRecord, ClearingRecord.transaction_id == LedgerEntry.transaction_id)
            .where(ClearingRecord.sale_id == sale_id, ClearingRecord.event_type.in_(event_types),
                   (LedgerAccount.code.startswith("commission:") & LedgerAccount.code.endswith(f":{currency}"))
                   | (LedgerAccount.code == f"clearing_fees:{currency}"))
            .group_by(LedgerAccount.code)
        )
        return {code: -int(total) for code, total in rows if total}

    return credits((SALE_PAID,)), credits((SALE_PAID, SALE_REFUNDED))


def reverse_sale(session: Session, message: dict[str, Any]) -> ClearingRecord:
    """SaleRefunded: the operators give the refund back; the passenger gets ``amount``, the fee stays."""
    payload = message["payload"]
    amount, fee, currency = int(payload["amount_minor"]), int(payload["fee_minor"]), payload["currency"]
    refunded_at = datetime.fromisoformat(payload["refunded_at"])
    sale = _lock_cleared_sale(session, payload["sale_id"])
    if sale.currency != currency:
        raise ValueError(f"refund {payload['refund_id']} is in {currency}, its sale in {sale.currency}")
    original = {share.operator_id: share.amount_minor
                for share in session.scalars(select(ClearingShare).where(ClearingShare.record_id == sale.id))}
    deducted, deductions_held = deductions_of_sale(session, sale.sale_id, currency)
    parts = reverse_shares(amount + fee, {**original, **deducted},
                           {**held_of_sale(session, sale.sale_id), **deductions_held})
    reversal = tuple(share for share in parts if share.operator_id in original)
    taken_back = [Line(_account_by_code(session, share.operator_id), share.amount_minor)
                  for share in parts if share.operator_id in deducted and share.amount_minor]
    source = wallet_liability(session, currency) if payload.get("payment_method") == "wallet" else \
        psp_receivable(session, currency)
    lines = [Line(source, -amount)] + ([Line(refund_fees(session, currency), -fee)] if fee else []) + [
        Line(operator_payable(session, share.operator_id, currency), share.amount_minor) for share in reversal
    ] + taken_back
    transaction = post(session, f"refund:{payload['refund_id']}",
                       f"Refund {payload['refund_id']} of sale {sale.sale_id}", refunded_at, lines)
    record = ClearingRecord(
        event_id=message["id"], event_type=SALE_REFUNDED, sale_id=sale.sale_id, amount_minor=-(amount + fee),
        currency=currency, sale_period=period_of(refunded_at), occurred_at=refunded_at,
        transaction_id=transaction.id,
    )
    session.add(record)
    session.flush()
    session.add_all(
        ClearingShare(record_id=record.id, operator_id=share.operator_id, amount_minor=-share.amount_minor,
                      weight_minor=share.weight_minor, sale_period=record.sale_period)
        for share in reversal
        if share.amount_minor
    )
    return record
