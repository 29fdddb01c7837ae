"""Charging: one aggregated charge per account and service day, then signed adjustments for late taps.

What a day costs is rated afresh from its taps each time (``payg.rating``);
what is collected is the difference to what the day's earlier charges
already collected. So the first run charges the day once, a run after late
taps charges or gives back only the difference (an *adjustment*, never a
second full charge), and a run with nothing new changes nothing. Each
collected difference writes a ``PaygDayCharged`` event for clearing in the
same transaction.

Money moves through the sandbox card (our charge id is the provider's
idempotency reference) or the rider's prepaid wallet (one conditional
``UPDATE``, never below zero). A declined charge is recorded as declined; the
day stays due and the next run tries again.
"""
from __future__ import annotations

import dataclasses
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from core.db import new_id
from core.money import Money
from core.outbox import PAYG_DAY_CHARGED, OutboxEvent
from fares.network import Network
from fares.price import FareEngine
from payg.max_fare import MaxFareRule
from payg.models import ADJUSTMENT, CAPTURED, CARD, CHARGE, DECLINED, REFUNDED, PaygAccount, PaygCharge, Tap
from payg.rating import DayRating, PricedJourney, SingleRideMemo, price_journey, rate_day, rules_for, week_start
from payg.statement import statement_json
from payg.trips import TapRecord, reconstruct
from ticketing.payment_providers import PaymentProvider, capture_with_retries, refund_with_retries
from ticketing.wallets import Wallet, WalletEntry

log = logging.getLogger(__name__)

_DAY_IDS = uuid.UUID("0b8c3f8e-52a4-4d0e-8f5e-3c7d9a6b1e24")
_CHUNK = 1_000
WALLET_CHARGE, WALLET_REFUND = "payg_charge", "payg_refund"


def day_id(account_id: str, day: date) -> str:
    """The id clearing books an account's service day under (all its charges and adjustments)."""
    return str(uuid.uuid5(_DAY_IDS, f"{account_id}\n{day.isoformat()}"))


def charge_id_for(account_id: str, day: date, sequence: int) -> str:
    """The same account, day and sequence always name the same charge, and so the same provider reference:
    a run retried after a crash between the capture and the commit cannot capture twice."""
    return str(uuid.uuid5(_DAY_IDS, f"{account_id}\n{day.isoformat()}\n{sequence}"))


@dataclass(frozen=True, slots=True)
class TariffView:
    """The active tariff as rating needs it."""

    engine: FareEngine
    network: Network
    model: Any  # a format-2 ``TariffV2`` (caps, passes), else None
    currency: str
    tariff_version_id: int | None

    @property
    def fares_vary_by_time(self) -> bool:
        """Only a format-2 tariff without time bands is known to price a ride the same at any hour."""
        return self.model is None or bool(self.model.time_bands)


@dataclass(slots=True)
class ChargeRun:
    accounts: int = 0
    charged: int = 0
    adjusted: int = 0
    unchanged: int = 0
    declined: int = 0
    collected_minor: int = 0
    given_back_minor: int = 0
    charges: list[str] = field(default_factory=list)

    def add(self, other: ChargeRun) -> None:
        for name in ("accounts", "charged", "adjusted", "unchanged", "declined", "collected_minor",
                     "given_back_minor"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.charges.extend(other.charges)

    def to_json(self) -> dict[str, Any]:
        return {"accounts": self.accounts, "charged": self.charged, "adjusted": self.adjusted,
                "unchanged": self.unchanged, "declined": self.declined, "collected_minor": self.collected_minor,
                "given_back_minor": self.given_back_minor}


@dataclass(frozen=True, slots=True)
class _Booked:
    """What the day's earlier charges did."""

    paid_minor: int = 0
    last_sequence: int = 0
    taps_seen: int | None = None  # at the last charge that went through
    card_captures: tuple[tuple[str, int], ...] = ()  # (provider reference, amount) of positive card charges


def _taps(session: Session, account_ids: Sequence[str], first: date, last: date) -> dict[str, list[Tap]]:
    found: dict[str, list[Tap]] = defaultdict(list)
    for start in range(0, len(account_ids), _CHUNK):
        chunk = account_ids[start : start + _CHUNK]
        rows = session.execute(
            select(Tap.account_id, Tap.device_id, Tap.event_id, Tap.kind, Tap.route_id, Tap.stop_id,
                   Tap.tapped_at, Tap.service_date)
            .where(Tap.account_id.in_(chunk), Tap.service_date >= first, Tap.service_date <= last)
        )
        for row in rows:
            found[row.account_id].append(row)  # type: ignore[arg-type]
    return found


def _booked(session: Session, account_ids: Sequence[str], day: date) -> dict[str, _Booked]:
    out: dict[str, _Booked] = {}
    for start in range(0, len(account_ids), _CHUNK):
        chunk = account_ids[start : start + _CHUNK]
        rows = session.execute(
            select(PaygCharge.account_id, PaygCharge.sequence, PaygCharge.status, PaygCharge.amount_minor,
                   PaygCharge.taps_seen, PaygCharge.payment_method, PaygCharge.provider_reference)
            .where(PaygCharge.account_id.in_(chunk), PaygCharge.service_date == day)
            .order_by(PaygCharge.account_id, PaygCharge.sequence)
        )
        for row in rows:
            before = out.get(row.account_id, _Booked())
            done = row.status != DECLINED
            captures = before.card_captures
            if done and row.payment_method == CARD and row.amount_minor > 0 and row.provider_reference:
                captures = (*captures, (row.provider_reference, row.amount_minor))
            out[row.account_id] = _Booked(
                paid_minor=before.paid_minor + (row.amount_minor if done else 0),
                last_sequence=row.sequence,
                taps_seen=row.taps_seen if done else before.taps_seen,
                card_captures=captures,
            )
    return out


def rate_account(
    account: PaygAccount | Any, taps: Sequence[Any], day: date, tariff: TariffView, max_fare: MaxFareRule,
    transfer_window: timedelta, single_rides: SingleRideMemo | None = None,
) -> DayRating:
    """Rate one account's ``day`` from its taps of the week up to that day."""
    rules = rules_for(tariff.model, tariff.currency, account.rider_category)
    by_day: dict[date, list[TapRecord]] = defaultdict(list)
    for tap in taps:
        by_day[tap.service_date].append(TapRecord(tap.device_id, tap.event_id, tap.kind, tap.route_id, tap.stop_id,
                                                  tap.tapped_at))
    week: dict[date, list[PricedJourney]] = {}
    reconstruction = None
    for service_day in sorted(by_day):
        rebuilt = reconstruct(by_day[service_day], transfer_window)
        if service_day == day:
            reconstruction = rebuilt
        week[service_day] = [price_journey(tariff.engine, max_fare, journey, account.rider_category, single_rides)
                             for journey in rebuilt.journeys]
    rating = rate_day(day, week, rules, tariff.network)
    return dataclasses.replace(rating, reconstruction=reconstruction)


def charge_accounts(
    session: Session, accounts: Sequence[PaygAccount | Any], day: date, tariff: TariffView,
    provider: PaymentProvider, now: datetime, transfer_window: timedelta, only_stale: bool = False,
) -> ChargeRun:
    """Rate and charge ``day`` for these accounts in the caller's transaction (the caller commits).

    ``only_stale``: skip accounts whose last charge of the day already saw every tap of it.
    """
    run = ChargeRun()
    ids = [a.id for a in accounts]
    taps = _taps(session, ids, week_start(day), day)
    booked = _booked(session, ids, day)
    max_fare = MaxFareRule(tariff.engine, tariff.network, tariff.fares_vary_by_time)
    single_rides: SingleRideMemo | None = None if tariff.fares_vary_by_time else {}
    charge_rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for account in accounts:
        account_taps = taps.get(account.id, [])
        taps_today = sum(1 for t in account_taps if t.service_date == day)
        before = booked.get(account.id, _Booked())
        if taps_today == 0 and before.last_sequence == 0:
            continue
        if only_stale and before.taps_seen == taps_today:
            continue
        run.accounts += 1
        rating = rate_account(account, account_taps, day, tariff, max_fare, transfer_window, single_rides)
        delta = rating.charged_minor - before.paid_minor
        if before.taps_seen is not None and delta == 0 and before.taps_seen == taps_today:
            run.unchanged += 1
            continue
        charge_id = charge_id_for(account.id, day, before.last_sequence + 1)
        kind = CHARGE if before.paid_minor == 0 and before.taps_seen is None else ADJUSTMENT
        status, reference, reason = _collect(session, provider, account, charge_id, delta, before, now)
        row = {
            "id": charge_id, "account_id": account.id, "service_date": day, "sequence": before.last_sequence + 1,
            "kind": kind, "status": status, "amount_minor": delta,
            "day_total_minor": rating.charged_minor if status != DECLINED else before.paid_minor,
            "uncapped_minor": rating.uncapped_minor, "currency": rating.currency,
            "payment_method": account.payment_method, "provider_reference": reference, "decline_reason": reason,
            "taps_seen": taps_today, "statement": statement_json(rating, account.rider_category),
            "created_at": now,
        }
        charge_rows.append(row)
        run.charges.append(charge_id)
        if status == DECLINED:
            run.declined += 1
            continue
        if kind == CHARGE:
            run.charged += 1
        else:
            run.adjusted += 1
        if delta > 0:
            run.collected_minor += delta
        else:
            run.given_back_minor -= delta
        if delta != 0 or kind == ADJUSTMENT:  # an adjustment of 0 may still move the operators' shares
            events.append(_event(row, account, rating, before, tariff, now))
    if charge_rows:
        session.execute(insert(PaygCharge), charge_rows)
    if events:
        session.execute(insert(OutboxEvent), events)
    return run


def _event(row: dict[str, Any], account: Any, rating: DayRating, before: _Booked, tariff: TariffView,
           now: datetime) -> dict[str, Any]:
    payload = {
        "charge_id": row["id"], "day_id": day_id(account.id, row["service_date"]), "account_id": account.id,
        "service_date": row["service_date"].isoformat(), "sequence": row["sequence"], "kind": row["kind"],
        "amount_minor": row["amount_minor"], "previous_day_total_minor": before.paid_minor,
        "day_total_minor": rating.charged_minor, "uncapped_minor": rating.uncapped_minor,
        "currency": rating.currency, "payment_method": account.payment_method, "charged_at": now.isoformat(),
        "tariff_version_id": tariff.tariff_version_id, "rider_category": account.rider_category,
        "operators": [{"operator_id": op, "uncapped_minor": amount} for op, amount in rating.operators_uncapped],
    }
    return {"id": new_id(), "type": PAYG_DAY_CHARGED, "payload": payload, "created_at": now, "publish_attempts": 0}


def _collect(session: Session, provider: PaymentProvider, account: Any, charge_id: str, delta: int,
             before: _Booked, now: datetime) -> tuple[str, str | None, str | None]:
    """Move ``delta`` (signed) and say how it went: (status, provider reference, decline reason)."""
    if delta == 0:
        return CAPTURED, None, None
    currency = account.currency
    if account.payment_method == CARD:
        if delta > 0:
            result = capture_with_retries(provider, Money(delta, currency), account.card_token or "",
                                          reference=charge_id)
            if not result.captured:
                log.info("payg charge declined account_id=%s charge_id=%s reason=%s", account.id, charge_id,
                         result.decline_reason)
                return DECLINED, None, result.decline_reason
            return CAPTURED, result.reference, None
        return REFUNDED, _refund_card(provider, before, -delta, currency), None
    wallet_id = account.wallet_id
    if delta > 0:
        debited = session.execute(
            update(Wallet).where(Wallet.id == wallet_id, Wallet.currency == currency, Wallet.balance_minor >= delta)
            .values(balance_minor=Wallet.balance_minor - delta).execution_options(synchronize_session=False)
        ).rowcount
        if debited != 1:
            return DECLINED, None, "insufficient_funds"
        session.add(WalletEntry(wallet_id=wallet_id, kind=WALLET_CHARGE, amount_minor=-delta, reference=charge_id,
                                created_at=now))
        return CAPTURED, None, None
    session.execute(update(Wallet).where(Wallet.id == wallet_id)
                    .values(balance_minor=Wallet.balance_minor - delta).execution_options(synchronize_session=False))
    session.add(WalletEntry(wallet_id=wallet_id, kind=WALLET_REFUND, amount_minor=-delta, reference=charge_id,
                            created_at=now))
    return REFUNDED, None, None


def _refund_card(provider: PaymentProvider, before: _Booked, amount: int, currency: str) -> str | None:
    """Give ``amount`` back against the day's card captures, the latest first."""
    left, last_reference = amount, None
    for reference, captured in reversed(before.card_captures):
        if left == 0:
            break
        part = min(left, captured)
        result = refund_with_retries(provider, reference, Money(part, currency))
        if result.refunded:
            left -= part
            last_reference = result.reference
    if left:
        raise RuntimeError(f"could not refund {left} of the day's card charges")
    return last_reference

