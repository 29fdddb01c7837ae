"""Bulk clearing: many SalePaid events in one transaction, with the same results as one by one.

``clearing.services.clear_event`` takes a chain head and the carry rows once
per event (13 statements and one commit each). Here a batch takes a chain
head (its lane) and its carry rows once, apportions and rounds every sale in memory in
the given order (the carries and the hash chain advance exactly as they would
event by event), and writes transactions, entries, records and shares with one
multi-row ``INSERT`` per table. Given the same events in the same order on the
same ledger, the result is row for row what ``clear_event`` books, hashes
included (tests/clearing/test_bulk.py).

For catching up a backlog or a replay; events of other types go through
``clear_event``. A batch is all or nothing: if another writer clears one of
its events at the same moment, the commit fails on the unique event id and
nothing of the batch is kept (run it again: the cleared events are skipped).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from clearing.apportionment import Entitlement, Rule, deductions, entitle, rule_from_payload
from clearing.carry import ClearingCarry, lock_carries, round_with_carry
from clearing.ledger import (
    UnbalancedTransaction,
    get_or_create_account,
    operator_payable,
    psp_receivable,
    wallet_liability,
)
from clearing.ledger_chain import chain_hash, lock_head
from clearing.models import ClearingRecord, ClearingShare, LedgerAccount, LedgerEntry, LedgerTransaction
from clearing.periods import period_of
from clearing.services import _sale_legs
from core.db import utcnow
from core.outbox import SALE_PAID
from core.unit_of_work import SqlUnitOfWork


@dataclass(frozen=True, slots=True)
class BulkResult:
    cleared: int
    duplicates: int


@dataclass(slots=True)
class _Sale:
    message: dict[str, Any]
    amount: int
    currency: str
    paid_at: datetime
    period: str
    lines: list[tuple[LedgerAccount, int]]
    shares: list[tuple[str, int, int]]  # operator id, amount, weight


class _Accounts:
    """The ledger accounts a batch books to, looked up (or created) once each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[tuple[str, ...], LedgerAccount] = {}

    def _get(self, key: tuple[str, ...], make: Callable[[], LedgerAccount]) -> LedgerAccount:
        account = self.cache.get(key)
        if account is None:
            account = self.cache[key] = make()
        return account

    def source(self, payment_method: str | None, currency: str) -> LedgerAccount:
        if payment_method == "wallet":
            return self._get(("wallet", currency), lambda: wallet_liability(self.session, currency))
        return self._get(("psp", currency), lambda: psp_receivable(self.session, currency))

    def payable(self, operator_id: str, currency: str) -> LedgerAccount:
        return self._get(("operator", operator_id, currency),
                         lambda: operator_payable(self.session, operator_id, currency))

    def commission(self, channel: str, currency: str) -> LedgerAccount:
        return self._get(("commission", channel, currency), lambda: get_or_create_account(
            self.session, f"commission:{channel}:{currency}", f"Commission owed to sales channel {channel}",
            "liability", currency))

    def clearing_fees(self, currency: str) -> LedgerAccount:
        return self._get(("fees", currency), lambda: get_or_create_account(
            self.session, f"clearing_fees:{currency}", "Clearing fees kept by the association", "revenue",
            currency))


def _fresh(session: Session, messages: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The messages not cleared yet, first delivery of each id kept, in the given order."""
    ids = [str(m["id"]) for m in messages]
    done: set[str] = set()
    for start in range(0, len(ids), 5000):
        done.update(session.scalars(select(ClearingRecord.event_id)
                                    .where(ClearingRecord.event_id.in_(ids[start:start + 5000]))))
    fresh = []
    for message in messages:
        if message.get("type") != SALE_PAID:
            raise ValueError(f"bulk clearing takes SalePaid events only, not {message.get('type')!r}")
        if str(message["id"]) not in done:
            done.add(str(message["id"]))
            fresh.append(message)
    return fresh, len(messages) - len(fresh)


@dataclass(frozen=True, slots=True)
class _Entitled:
    message: dict[str, Any]
    amount: int
    currency: str
    paid_at: datetime
    period: str
    rule: Rule
    commission: int
    fee: int
    entitlement: Entitlement

    @property
    def taking(self) -> list[str]:
        return [op for op, n in zip(self.entitlement.operator_ids, self.entitlement.numerators, strict=True) if n]


def _entitle(message: dict[str, Any]) -> _Entitled:
    """What ``clearing.services.clear_sale`` computes before rounding (pure)."""
    payload = message["payload"]
    amount, currency = int(payload["amount_minor"]), payload["currency"]
    paid_at = datetime.fromisoformat(payload["paid_at"])
    rule = rule_from_payload(payload.get("apportionment"))
    commission, fee = deductions(amount, rule)
    entitlement = entitle(amount - commission - fee, _sale_legs(payload), rule)
    return _Entitled(message, amount, currency, paid_at, period_of(paid_at), rule, commission, fee, entitlement)


def _carry_rows(session: Session, sales: Sequence[_Entitled]) -> dict[tuple[str, str, str], ClearingCarry]:
    """The carry rows of the operators taking part, locked once (operator id order, as ``lock_carries``)."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for sale in sales:
        wanted.setdefault((sale.period, sale.currency), set()).update(sale.taking)
    rows = {}
    for (period, currency), ops in sorted(wanted.items()):
        if ops:
            for op, row in lock_carries(session, sorted(ops), period, currency).items():
                rows[(op, period, currency)] = row
    return rows


def _round(session: Session, accounts: _Accounts, carries: dict[tuple[str, str, str], ClearingCarry],
           sale: _Entitled) -> _Sale:
    """Shares rounded with the carries kept in memory, and the ledger lines, as ``clear_sale`` books them."""
    entitlement, period, currency, rule = sale.entitlement, sale.period, sale.currency, sale.rule
    taking = sale.taking
    if taking:
        carried = round_with_carry(entitlement, {op: carries[(op, period, currency)].carry_units for op in taking})
        for op, units in carried.carries.items():
            carries[(op, period, currency)].carry_units = units
        parts = carried.parts
    else:
        parts = (0,) * len(entitlement.operator_ids)
    shares = list(zip(entitlement.operator_ids, parts, entitlement.weights, strict=True))
    lines = [(accounts.source(sale.message["payload"].get("payment_method"), currency), sale.amount)]
    lines += [(accounts.payable(op, currency), -part) for op, part, _weight in shares]
    if sale.commission:
        lines.append((accounts.commission(rule.channel, currency), -sale.commission))
    if sale.fee:
        lines.append((accounts.clearing_fees(currency), -sale.fee))
    if sum(amount for _account, amount in lines) != 0:
        raise UnbalancedTransaction(f"sale {sale.message['payload']['sale_id']} does not balance")
    return _Sale(sale.message, sale.amount, currency, sale.paid_at, period, lines, shares)


def _insert_returning_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    result = session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    return [int(row_id) for row_id in result.scalars()]


def clear_sales(session: Session, messages: Sequence[dict[str, Any]]) -> BulkResult:
    """Clear SalePaid messages in order into ``session`` (not committed); already cleared ids are skipped."""
    fresh, duplicates = _fresh(session, messages)
    if not fresh:
        return BulkResult(0, duplicates)
    entitled = [_entitle(message) for message in fresh]
    carries = _carry_rows(session, entitled)
    accounts = _Accounts(session)
    sales = [_round(session, accounts, carries, sale) for sale in entitled]
    head = lock_head(session)  # the chain (and lane) ``_carry_rows`` took: held to the commit
    chain, sequence, previous = head.id, head.sequence, head.hash
    booked_at = utcnow()
    transactions = []
    for sale in sales:
        sequence += 1
        reference = f"sale:{sale.message['payload']['sale_id']}"
        previous = chain_hash(previous, sequence, reference, sale.paid_at, [
            (account.code, amount, account.currency) for account, amount in sale.lines if amount])
        transactions.append({"reference": reference, "description": f"Sale {sale.message['payload']['sale_id']} "
                             "cleared", "occurred_at": sale.paid_at, "booked_at": booked_at,
                             "chain": chain, "sequence": sequence,
                             "hash": previous, "reverses_id": None})
    head.sequence, head.hash = sequence, previous
    transaction_ids = _insert_returning_ids(session, LedgerTransaction, transactions)
    session.execute(insert(LedgerEntry), [
        {"transaction_id": transaction_id, "account_id": account.id, "amount_minor": amount,
         "currency": account.currency}
        for sale, transaction_id in zip(sales, transaction_ids, strict=True)
        for account, amount in sale.lines if amount])
    record_ids = _insert_returning_ids(session, ClearingRecord, [
        {"event_id": sale.message["id"], "event_type": SALE_PAID, "sale_id": sale.message["payload"]["sale_id"],
         "amount_minor": sale.amount, "currency": sale.currency, "sale_period": sale.period,
         "occurred_at": sale.paid_at, "cleared_at": booked_at, "transaction_id": transaction_id}
        for sale, transaction_id in zip(sales, transaction_ids, strict=True)])
    session.execute(insert(ClearingShare), [
        {"record_id": record_id, "operator_id": op, "amount_minor": part, "weight_minor": weight,
         "sale_period": sale.period, "settlement_id": None}
        for sale, record_id in zip(sales, record_ids, strict=True) for op, part, weight in sale.shares])
    session.flush()
    return BulkResult(len(sales), duplicates)


def clear_batch(uow: SqlUnitOfWork, messages: Sequence[dict[str, Any]]) -> BulkResult:
    """One transaction for the whole batch."""
    with uow:
        result = clear_sales(uow.session, messages)
        uow.commit()
    return result
