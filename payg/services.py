"""Pay-as-you-go services: accounts, tap batches, the end-of-day charge run and late-tap corrections.

Each service owns its transaction. The charge run works in chunks of
accounts (one transaction each) and can be cut into shards by a stable hash of
the account id, so several workers charge one day side by side without
touching the same account.
"""
from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.config import Settings
from core.errors import Conflict, NotFound, ValidationFailed
from core.money import is_currency_code
from core.unit_of_work import SqlUnitOfWork
from fares.cache import pricing_context
from fares.native.v2.engine import NativeV2Engine
from payg.charging import ChargeRun, TariffView, charge_accounts
from payg.models import CARD, DECLINED, REFUNDED, WALLET, PaygAccount, PaygCharge, Tap
from payg.rating import week_start
from payg.taps import MAX_BATCH, DayRules, IngestResult, ingest_taps
from ticketing.payment_providers import PaymentProvider
from ticketing.wallets import get_wallet

log = logging.getLogger(__name__)

ACCOUNT_CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class OpenAccount:
    account_id: str
    rider_category: str | None
    payment_method: str
    card_token: str | None = None
    wallet_id: str | None = None


def tariff_view(session: Session) -> TariffView:
    context = pricing_context(session)
    engine = context.engine
    model = engine.model if isinstance(engine, NativeV2Engine) else None
    return TariffView(engine, context.network, model, engine.currency, context.tariff_version_id)


def day_rules(view: TariffView, settings: Settings) -> DayRules:
    if view.model is not None:
        return DayRules(view.model.timezone, view.model.service_day_start_s)
    return DayRules(settings.timezone, 0)


def open_account(uow: SqlUnitOfWork, cmd: OpenAccount, now: datetime) -> PaygAccount:
    if not 1 <= len(cmd.account_id) <= 64:
        raise ValidationFailed("account_id has 1 to 64 characters", details=[{"field": "account_id"}])
    if cmd.payment_method not in (CARD, WALLET):
        raise ValidationFailed("payment_method is card or wallet", details=[{"field": "payment_method"}])
    if cmd.payment_method == CARD and not cmd.card_token:
        raise ValidationFailed("card_token is required for card", details=[{"field": "card_token"}])
    if cmd.payment_method == WALLET and not cmd.wallet_id:
        raise ValidationFailed("wallet_id is required for wallet", details=[{"field": "wallet_id"}])
    with uow:
        session = uow.session
        view = tariff_view(session)
        category = view.engine.rider_category(cmd.rider_category)
        currency = view.currency
        if cmd.payment_method == WALLET:
            wallet = get_wallet(session, cmd.wallet_id or "")
            if wallet.currency != currency:
                raise ValidationFailed(f"the wallet holds {wallet.currency}; the tariff charges {currency}",
                                       details=[{"field": "wallet_id"}])
        if not is_currency_code(currency):  # pragma: no cover - tariffs are validated on import
            raise ValidationFailed(f"bad currency {currency}")
        account = PaygAccount(id=cmd.account_id, rider_category=category, currency=currency,
                              payment_method=cmd.payment_method,
                              card_token=cmd.card_token if cmd.payment_method == CARD else None,
                              wallet_id=cmd.wallet_id if cmd.payment_method == WALLET else None, created_at=now)
        session.add(account)
        try:
            uow.commit()
        except IntegrityError:
            uow.rollback()
            raise Conflict(f"account {cmd.account_id} exists already", code="account_exists") from None
        return account


def get_account(session: Session, account_id: str) -> PaygAccount:
    account = session.get(PaygAccount, account_id)
    if account is None:
        raise NotFound(f"no pay-as-you-go account {account_id}")
    return account


def ingest(uow: SqlUnitOfWork, raws: Sequence[Any], settings: Settings, now: datetime) -> IngestResult:
    """Store a batch of taps (one transaction); bad taps are listed with their reasons, the rest is kept."""
    if len(raws) > MAX_BATCH:
        raise ValidationFailed(f"a batch holds at most {MAX_BATCH} taps, not {len(raws)}",
                               details=[{"field": "taps", "message": "too many"}])
    with uow:
        session = uow.session
        view = tariff_view(session)
        result = ingest_taps(session, raws, view.network, day_rules(view, settings), now,
                             timedelta(hours=settings.payg_late_tap_hours))
        uow.commit()
    if result.rejected:
        log.info("taps rejected: %d of %d", len(result.rejected), len(raws))
    return result


def shard_of(account_id: str, shards: int) -> int:
    return zlib.crc32(account_id.encode()) % shards


def _accounts_of_day(session: Session, day: date) -> list[str]:
    with_taps = session.scalars(select(Tap.account_id).where(Tap.service_date == day).distinct())
    with_charges = session.scalars(select(PaygCharge.account_id).where(PaygCharge.service_date == day).distinct())
    return sorted({*with_taps, *with_charges})


def charge_day(
    uow: SqlUnitOfWork, day: date, provider: PaymentProvider, settings: Settings, now: datetime,
    account_ids: Sequence[str] | None = None, shard: int = 0, shards: int = 1, only_stale: bool = False,
) -> ChargeRun:
    """Rate and charge ``day`` for every account that rode (or, given, these), in chunks.

    Running it again charges nothing twice: an account whose day is charged
    and whose taps did not change is left alone; one with late taps gets an
    adjustment.
    """
    run = ChargeRun()
    window = timedelta(minutes=settings.payg_transfer_minutes)
    with uow:
        ids = list(account_ids) if account_ids is not None else _accounts_of_day(uow.session, day)
    ids = [i for i in ids if shards == 1 or shard_of(i, shards) == shard]
    for start in range(0, len(ids), ACCOUNT_CHUNK):
        chunk = ids[start : start + ACCOUNT_CHUNK]
        with uow:
            session = uow.session
            view = tariff_view(session)
            accounts = list(session.scalars(select(PaygAccount).where(PaygAccount.id.in_(chunk))
                                            .order_by(PaygAccount.id)))
            part = charge_accounts(session, accounts, day, view, provider, now, window, only_stale)
            uow.commit()
        run.add(part)
    log.info("payg charge run day=%s shard=%s/%s accounts=%s collected_minor=%s", day, shard, shards,
             run.accounts, run.collected_minor)
    return run


def correct_late_taps(uow: SqlUnitOfWork, provider: PaymentProvider, settings: Settings, now: datetime,
                      today: date) -> ChargeRun:
    """Adjust every charged day of the late window whose taps changed since its charge.

    A changed day can move the week cap, so the later charged days of that
    account's week are rated again too (and adjusted when they moved).
    """
    since = today - timedelta(hours=settings.payg_late_tap_hours) - timedelta(days=1)
    since = min(since, week_start(since))
    run = ChargeRun()
    with uow:
        days = sorted(set(uow.session.scalars(
            select(PaygCharge.service_date).where(PaygCharge.service_date >= since,
                                                  PaygCharge.service_date < today).distinct())))
    moved: dict[date, set[str]] = {}
    for day in days:
        with uow:
            charged = sorted(set(uow.session.scalars(
                select(PaygCharge.account_id).where(PaygCharge.service_date == day).distinct())))
        forced = sorted(moved.get(week_start(day), set()) & set(charged))
        rest = sorted(set(charged) - set(forced))
        for ids, stale in ((forced, False), (rest, True)):
            if not ids:
                continue
            part = charge_day(uow, day, provider, settings, now, account_ids=ids, only_stale=stale)
            run.add(part)
            if part.charges:
                with uow:
                    changed = uow.session.scalars(select(PaygCharge.account_id).where(
                        PaygCharge.id.in_(part.charges), PaygCharge.amount_minor != 0))
                    moved.setdefault(week_start(day), set()).update(changed)
    return run


def day_charges(session: Session, account_id: str, day: date) -> list[PaygCharge]:
    get_account(session, account_id)
    return list(session.scalars(select(PaygCharge).where(PaygCharge.account_id == account_id,
                                                         PaygCharge.service_date == day)
                                .order_by(PaygCharge.sequence)))


def payg_money(session: Session, start: datetime, end: datetime, currency: str) -> tuple[int, int]:
    """(collected, given back) by pay-as-you-go charges in ``[start, end)``, for reconciliation."""
    in_range = (PaygCharge.currency == currency, PaygCharge.created_at >= start, PaygCharge.created_at < end,
                PaygCharge.status != DECLINED)
    collected = session.scalar(select(func.coalesce(func.sum(PaygCharge.amount_minor), 0))
                               .where(*in_range, PaygCharge.amount_minor > 0))
    given_back = session.scalar(select(func.coalesce(func.sum(PaygCharge.amount_minor), 0))
                                .where(*in_range, PaygCharge.status == REFUNDED))
    return int(collected or 0), -int(given_back or 0)
