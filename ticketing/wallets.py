"""Prepaid wallets: a passenger's credit, topped up by card and spent on tickets.

The entries are the truth; ``Wallet.balance_minor`` is their sum, changed in
the same transaction as each entry, so that a spend is one conditional UPDATE
(``balance_minor >= amount``). Of concurrent spends only those the balance
covers succeed, on PostgreSQL (the row lock makes the second UPDATE re-check
its condition) and on SQLite (writers are serialised) alike; a CHECK
constraint backs it up: the balance is never negative.

An entry's ``(kind, reference)`` is unique, so a top-up, the spend for an order
and a refund are each booked once however often they are retried.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TypeVar

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

import ticketing.models  # noqa: F401  (ForeignKey target: orders)
from core.db import Base, UtcDateTime, new_id, utcnow
from core.errors import Conflict, NotFound, PaymentDeclined, ValidationFailed
from core.money import Money, is_currency_code
from core.outbox import WALLET_TOPPED_UP, add_event
from core.unit_of_work import SqlUnitOfWork
from ticketing.payment_providers import PaymentProvider, capture_with_retries

log = logging.getLogger(__name__)

Row = TypeVar("Row", "Wallet", "WalletEntry")
TOPUP, SPEND, REFUND = "topup", "spend", "refund"
MAX_TOP_UP_MINOR = 50_000  # 500.00 in a two-decimal currency, per top-up
MAX_BALANCE_MINOR = 100_000  # what a wallet may hold after a top-up
_TOP_UP_IDS = uuid.UUID("6f1c3c52-8d0e-4b8e-9a63-0f7f1f0c2a11")


class Wallet(Base):
    """One per passenger and currency. ``owner_user_id`` is ``users.id`` (webapp/users.py, role passenger)."""

    __tablename__ = "wallets"
    __table_args__ = (
        UniqueConstraint("owner_user_id", "currency"),
        CheckConstraint("balance_minor >= 0", name="balance_not_negative"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner_user_id: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    balance_minor: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class WalletEntry(Base):
    """Signed: a top-up or refund adds, a spend subtracts. ``reference``: top-up id, order id or refund id."""

    __tablename__ = "wallet_entries"
    __table_args__ = (UniqueConstraint("kind", "reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    wallet_id: Mapped[str] = mapped_column(ForeignKey("wallets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(36))
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), index=True)
    provider_reference: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def top_up_id_for(wallet_id: str, idempotency_key: str) -> str:
    """The same wallet and key always name the same top-up, so a retry after a crash cannot capture twice."""
    return str(uuid.uuid5(_TOP_UP_IDS, f"{wallet_id}\n{idempotency_key}"))


def get_wallet(session: Session, wallet_id: str) -> Wallet:
    wallet = session.get(Wallet, wallet_id)
    if wallet is None:
        raise NotFound(f"no wallet {wallet_id}")
    return wallet


def wallet_of(session: Session, owner_user_id: int, currency: str) -> Wallet | None:
    return session.scalars(
        select(Wallet).where(Wallet.owner_user_id == owner_user_id, Wallet.currency == currency)
    ).one_or_none()


def open_wallet(uow: SqlUnitOfWork, owner_user_id: int, currency: str, now: datetime) -> tuple[Wallet, bool]:
    """The owner's wallet in ``currency``, opened if there is none; ``True`` when it was opened now."""
    if not is_currency_code(currency):
        raise ValidationFailed(f"not an ISO 4217 currency code: {currency!r}", details=[{"field": "currency"}])
    with uow:
        existing = wallet_of(uow.session, owner_user_id, currency)
        if existing is not None:
            return _loaded(uow.session, existing), False
        wallet = Wallet(id=new_id(), owner_user_id=owner_user_id, currency=currency, balance_minor=0,
                        created_at=now)
        uow.session.add(wallet)
        try:
            uow.commit()
        except IntegrityError:  # opened by a concurrent request
            uow.rollback()
            return _loaded(uow.session, _existing(wallet_of(uow.session, owner_user_id, currency))), False
        return wallet, True


def top_up(
    uow: SqlUnitOfWork, wallet_id: str, amount: Money, card_token: str, provider: PaymentProvider, now: datetime,
    reference: str | None = None,
) -> WalletEntry:
    """Capture ``amount`` from the card and credit it, with its ``WalletToppedUp`` event, in one transaction.

    ``reference`` (the top-up id, at most 36 characters) makes the call repeatable: the provider
    captures a reference once, and a reference already booked returns its entry.
    """
    _check_positive(amount.minor)
    if amount.minor > MAX_TOP_UP_MINOR:
        raise ValidationFailed(f"a top-up is at most {Money(MAX_TOP_UP_MINOR, amount.currency)}",
                               details=[{"field": "amount", "message": "too large"}])
    if not card_token:
        raise ValidationFailed("card_token is required", details=[{"field": "card_token"}])
    top_up_id = reference or new_id()
    if len(top_up_id) > 36:
        raise ValidationFailed("a top-up reference has at most 36 characters", details=[{"field": "reference"}])
    with uow:
        session = uow.session
        wallet = get_wallet(session, wallet_id)
        _check_currency(wallet, amount.currency)
        booked = _entry(session, TOPUP, top_up_id)
        if booked is not None:
            return _loaded(session, _same_top_up(booked, wallet_id, amount))
        if wallet.balance_minor + amount.minor > MAX_BALANCE_MINOR:
            raise ValidationFailed(
                f"a wallet holds at most {Money(MAX_BALANCE_MINOR, wallet.currency)}; it holds "
                f"{Money(wallet.balance_minor, wallet.currency)}",
                details=[{"field": "amount", "message": "too large"}])
        # No write lock is held while the provider answers (on SQLite the reads above took none).
        result = capture_with_retries(provider, amount, card_token, reference=top_up_id)
        if not result.captured:
            log.info("top-up declined wallet_id=%s top_up_id=%s reason=%s", wallet_id, top_up_id,
                     result.decline_reason)
            raise PaymentDeclined(f"the card was declined: {result.decline_reason}",
                                  details={"reason": result.decline_reason})
        entry = WalletEntry(wallet_id=wallet_id, kind=TOPUP, amount_minor=amount.minor, reference=top_up_id,
                            provider_reference=result.reference, created_at=now)
        session.add(entry)
        _add_to_balance(session, wallet_id, amount.minor)
        add_event(session, WALLET_TOPPED_UP, {
            "top_up_id": top_up_id, "wallet_id": wallet_id, "amount_minor": amount.minor,
            "currency": amount.currency, "topped_up_at": now.isoformat(),
        }, now)
        try:
            uow.commit()
        except IntegrityError:  # the same reference booked concurrently; the provider captured it once
            uow.rollback()
            return _loaded(session, _same_top_up(_existing(_entry(session, TOPUP, top_up_id)), wallet_id, amount))
        log.info("wallet topped up wallet_id=%s top_up_id=%s amount_minor=%s", wallet_id, top_up_id, amount.minor)
        return entry


def spend(session: Session, wallet_id: str, amount: Money, order_id: str, now: datetime) -> WalletEntry:
    """Debit the wallet for an order, in the caller's transaction; 402 ``insufficient_funds`` if it holds less.

    The one conditional UPDATE both checks and debits, so concurrent spends cannot overdraw.
    """
    _check_positive(amount.minor)
    debited = session.execute(
        update(Wallet)
        .where(Wallet.id == wallet_id, Wallet.currency == amount.currency, Wallet.balance_minor >= amount.minor)
        .values(balance_minor=Wallet.balance_minor - amount.minor)
        .execution_options(synchronize_session=False)
    ).rowcount
    if debited != 1:
        wallet = get_wallet(session, wallet_id)
        _check_currency(wallet, amount.currency)
        balance = int(session.scalar(select(Wallet.balance_minor).where(Wallet.id == wallet_id)) or 0)
        raise PaymentDeclined(
            f"the wallet holds {Money(balance, wallet.currency)}, less than {amount}",
            details={"reason": "insufficient_funds", "balance": Money(balance, wallet.currency).format(),
                     "balance_minor": balance},
        )
    _forget_cached_balance(session, wallet_id)
    entry = WalletEntry(wallet_id=wallet_id, kind=SPEND, amount_minor=-amount.minor, reference=order_id,
                        order_id=order_id, created_at=now)
    session.add(entry)
    session.flush()  # an order spent twice fails here, inside the caller's transaction
    return entry


def credit_refund(
    session: Session, order_id: str, amount_minor: int, currency: str, refund_id: str, now: datetime
) -> WalletEntry:
    """Give (part of) a wallet-paid order back to its wallet, in the caller's transaction.

    Repeatable by ``refund_id``; all refunds of an order together never exceed what it spent.
    Raises before it writes anything, so a refused refund leaves the caller's transaction as it was.
    """
    _check_positive(amount_minor)
    spent = _entry(session, SPEND, order_id)
    if spent is None:
        raise Conflict(f"order {order_id} was not paid from a wallet", code="not_paid_by_wallet")
    wallet = get_wallet(session, spent.wallet_id)
    _check_currency(wallet, currency)
    # A write that changes nothing takes the wallet's row lock (PostgreSQL) or the write lock (SQLite):
    # the checks below then see every refund committed before, and none can slip in between.
    session.execute(update(Wallet).where(Wallet.id == wallet.id).values(balance_minor=Wallet.balance_minor)
                    .execution_options(synchronize_session=False))
    booked = _entry(session, REFUND, refund_id)
    if booked is not None:
        if (booked.order_id, booked.amount_minor) != (order_id, amount_minor):
            raise Conflict(f"refund {refund_id} was booked for another order or amount", code="refund_id_reused")
        return booked
    refunded = int(session.scalar(
        select(func.coalesce(func.sum(WalletEntry.amount_minor), 0))
        .where(WalletEntry.kind == REFUND, WalletEntry.order_id == order_id)
    ) or 0)
    if refunded + amount_minor > -spent.amount_minor:
        raise Conflict(
            f"order {order_id} spent {Money(-spent.amount_minor, currency)} from the wallet and "
            f"{Money(refunded, currency)} went back already; {Money(amount_minor, currency)} more is too much",
            details={"spent_minor": -spent.amount_minor, "refunded_minor": refunded}, code="refund_exceeds_payment",
        )
    entry = WalletEntry(wallet_id=wallet.id, kind=REFUND, amount_minor=amount_minor, reference=refund_id,
                        order_id=order_id, created_at=now)
    session.add(entry)
    _add_to_balance(session, wallet.id, amount_minor)
    session.flush()
    return entry


def history(session: Session, wallet_id: str) -> list[WalletEntry]:
    """Every entry of the wallet, oldest first; they sum to its balance."""
    get_wallet(session, wallet_id)
    return list(session.scalars(select(WalletEntry).where(WalletEntry.wallet_id == wallet_id)
                                .order_by(WalletEntry.id)))


def balance_from_entries(session: Session, wallet_id: str) -> int:
    return int(session.scalar(
        select(func.coalesce(func.sum(WalletEntry.amount_minor), 0)).where(WalletEntry.wallet_id == wallet_id)
    ) or 0)


def _check_positive(amount_minor: int) -> None:
    if amount_minor <= 0:
        raise ValidationFailed("the amount must be more than zero", details=[{"field": "amount"}])


def _check_currency(wallet: Wallet, currency: str) -> None:
    if currency != wallet.currency:
        raise ValidationFailed(f"wallet {wallet.id} holds {wallet.currency}, not {currency}",
                               details=[{"field": "currency"}])


def _entry(session: Session, kind: str, reference: str) -> WalletEntry | None:
    return session.scalars(
        select(WalletEntry).where(WalletEntry.kind == kind, WalletEntry.reference == reference)
    ).one_or_none()


def _existing(found: Row | None) -> Row:
    if found is None:  # the unique constraint fired, so the row exists; anything else is a real failure
        raise Conflict("a concurrent request changed this wallet; retry", code="concurrent_update")
    return found


def _loaded(session: Session, obj: Row) -> Row:
    """Detach a row read in a transaction that ends without a commit (whose rollback would expire it)."""
    session.expunge(obj)
    return obj


def _same_top_up(entry: WalletEntry, wallet_id: str, amount: Money) -> WalletEntry:
    if (entry.wallet_id, entry.amount_minor) != (wallet_id, amount.minor):
        raise Conflict("this top-up reference was used for another wallet or amount", code="top_up_reference_reused")
    return entry


def _add_to_balance(session: Session, wallet_id: str, amount_minor: int) -> None:
    session.execute(update(Wallet).where(Wallet.id == wallet_id)
                    .values(balance_minor=Wallet.balance_minor + amount_minor)
                    .execution_options(synchronize_session=False))
    _forget_cached_balance(session, wallet_id)


def _forget_cached_balance(session: Session, wallet_id: str) -> None:
    """A wallet already loaded in this session would show the balance from before the UPDATE."""
    cached = session.identity_map.get(Session.identity_key(Wallet, wallet_id))
    if cached is not None:
        session.expire(cached, ["balance_minor"])
