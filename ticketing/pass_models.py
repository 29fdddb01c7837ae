"""Bought passes, the trips they cover, and monthly subscriptions (tables).

Owners: a pass belongs to a user (``owner_user_id``, the id in ``users``) or
to a guest who holds the access token returned at purchase (only its hash is
kept, as for orders). ``owner_user_id`` has no foreign key because ticketing
does not import the web app's user model.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import ticketing.models  # noqa: F401  (ForeignKey targets: orders, payments, tariff_versions)
from core.db import Base, UtcDateTime, utcnow
from ticketing.pass_scope import PassScope, PassTerms

ACTIVE, CANCELLED = "active", "cancelled"


class Subscription(Base):
    """A renewing month pass. Each paid period is a ``PassHolding`` with its own order and payment.

    ``renews_at`` is when the next period is charged (a day before the current
    one ends); ``credit_minor`` is the prorated refund recorded at cancellation.
    """

    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_user_id: Mapped[int] = mapped_column(Integer, index=True)
    pass_product_id: Mapped[str] = mapped_column(String(64))
    rider_category: Mapped[str] = mapped_column(String(64))
    payment_method: Mapped[str] = mapped_column(String(16))
    # The provider's reusable payment method (the sandbox card token); never logged.
    payment_source: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    current_period_start: Mapped[datetime] = mapped_column(UtcDateTime)
    current_period_end: Mapped[datetime] = mapped_column(UtcDateTime)
    renews_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    credit_minor: Mapped[int | None] = mapped_column(Integer)
    last_failure: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PassHolding(Base):
    """A bought pass: what it covers (copied from the tariff at purchase) and when."""

    __tablename__ = "pass_holdings"
    # One holding per subscription period: a renewal run twice cannot sell the same period twice.
    __table_args__ = (UniqueConstraint("subscription_id", "valid_from"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), unique=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"), unique=True)
    owner_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    owner_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    pass_product_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    tariff_version_id: Mapped[int | None] = mapped_column(ForeignKey("tariff_versions.id"))
    rider_category: Mapped[str] = mapped_column(String(64))
    scope: Mapped[dict[str, Any]] = mapped_column(JSON)
    timezone: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    subscription_id: Mapped[str | None] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    def local(self, moment: datetime) -> datetime:
        """A time in the pass's timezone (the tariff's), as riders read it."""
        return moment.astimezone(ZoneInfo(self.timezone))

    def terms(self) -> PassTerms:
        return PassTerms(PassScope.from_json(self.scope), self.local(self.valid_from), self.local(self.valid_until),
                         self.status == ACTIVE)


class PassTrip(Base):
    """A journey covered by a pass: a signed ticket with price 0, and no payment or sale of its own."""

    __tablename__ = "pass_trips"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    pass_id: Mapped[str] = mapped_column(ForeignKey("pass_holdings.id"), index=True)
    rider_category: Mapped[str] = mapped_column(String(64))
    legs: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime)
    token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
