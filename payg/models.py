"""Pay-as-you-go tables: accounts, taps (unique by device and event id) and day charges.

A tap row is never changed: a replayed or duplicated event finds its
``(device_id, event_id)`` taken and is dropped. A day's charges are
append-only too: the first charge of a service day, then adjustments (signed)
when late taps change what the day costs; their sum is what the rider paid.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UtcDateTime, utcnow

TAP_IN, TAP_OUT = "in", "out"
CARD, WALLET = "card", "wallet"
CHARGE, ADJUSTMENT = "charge", "adjustment"
CAPTURED, DECLINED, REFUNDED = "captured", "declined", "refunded"


class PaygAccount(Base):
    """Who pays for taps: a rider category and a payment method (a sandbox card token or a wallet)."""

    __tablename__ = "payg_accounts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    rider_category: Mapped[str | None] = mapped_column(String(64))  # None: the tariff has no categories
    currency: Mapped[str] = mapped_column(String(3))
    payment_method: Mapped[str] = mapped_column(String(16))  # card | wallet
    card_token: Mapped[str | None] = mapped_column(String(100))  # the PSP's token, never a card number
    wallet_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Tap(Base):
    __tablename__ = "payg_taps"
    __table_args__ = (
        UniqueConstraint("device_id", "event_id"),
        Index("ix_payg_taps_account_day", "account_id", "service_date"),
        Index("ix_payg_taps_day", "service_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(3))  # in | out
    route_id: Mapped[str] = mapped_column(String(64))
    stop_id: Mapped[str] = mapped_column(String(64))
    tapped_at: Mapped[datetime] = mapped_column(UtcDateTime)
    service_date: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PaygCharge(Base):
    """One charge or adjustment of an account's service day; ``sequence`` counts 1, 2, ... per day.

    ``amount_minor`` is signed: an adjustment that gives money back is negative.
    ``day_total_minor`` is what the day costs after it; ``statement`` explains it.
    """

    __tablename__ = "payg_charges"
    __table_args__ = (UniqueConstraint("account_id", "service_date", "sequence"),
                      Index("ix_payg_charges_created_at", "created_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    service_date: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # charge | adjustment
    status: Mapped[str] = mapped_column(String(16))  # captured | refunded | declined
    amount_minor: Mapped[int] = mapped_column(Integer)
    day_total_minor: Mapped[int] = mapped_column(Integer)
    uncapped_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    payment_method: Mapped[str] = mapped_column(String(16))
    provider_reference: Mapped[str | None] = mapped_column(String(100))
    decline_reason: Mapped[str | None] = mapped_column(String(200))
    taps_seen: Mapped[int] = mapped_column(Integer)  # taps of the day when it was rated
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
