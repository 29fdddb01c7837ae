"""Transactional outbox.

An event row is written in the same transaction as the business change, so
an event exists exactly when the change committed. The relay publishes pending
rows and marks them published only after the broker confirmed; a crash in
between publishes the event again, which consumers absorb (idempotent by id).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from core.db import Base, UtcDateTime, new_id, utcnow

log = logging.getLogger(__name__)

EventMessage = dict[str, Any]

# Event types: the contract between the packages that emit and those that consume
# (payloads in docs/events.md).
SALE_PAID = "SalePaid"
SALE_REFUNDED = "SaleRefunded"
WALLET_TOPPED_UP = "WalletToppedUp"
PAYG_DAY_CHARGED = "PaygDayCharged"
Publisher = Callable[[EventMessage], None]
BatchPublisher = Callable[[list[EventMessage]], None]
"""Publishes every message or raises: the broker confirmed all of them (one confirmation), or none counts."""


class OutboxEvent(Base):
    __tablename__ = "outbox_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    publish_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    def message(self) -> EventMessage:
        return {
            "id": self.id,
            "type": self.type,
            "payload": self.payload,
            "created_at": self.created_at.isoformat(),
        }


def add_event(session: Session, type_: str, payload: dict[str, Any], now: datetime | None = None) -> OutboxEvent:
    event = OutboxEvent(id=new_id(), type=type_, payload=payload, created_at=now or utcnow(), publish_attempts=0)
    session.add(event)
    return event


def relay_pending(session_factory: sessionmaker[Session], publish: Publisher, limit: int = 500) -> int:
    """Publish up to ``limit`` pending events in creation order; returns how many.

    Stops at the first failure (the broker is probably down) and keeps the
    rest for the next run. ``SKIP LOCKED`` lets several relays run at once.
    """
    published = 0
    with session_factory() as session:
        query = (
            select(OutboxEvent)
            .where(OutboxEvent.published_at.is_(None))
            .order_by(OutboxEvent.created_at, OutboxEvent.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        for event in session.scalars(query):
            event.publish_attempts += 1
            try:
                publish(event.message())
            except Exception as exc:  # the broker's errors are many; all mean "not yet"
                log.warning("outbox publish failed event_id=%s: %s", event.id, exc)
                event.last_error = str(exc)[:2000]
                break
            event.published_at = utcnow()
            event.last_error = None
            published += 1
        session.commit()
    return published


def relay_pending_batch(session_factory: sessionmaker[Session], publish_batch: BatchPublisher,
                        limit: int = 500) -> int:
    """Publish up to ``limit`` pending events with one broker confirmation for all; returns how many.

    ``relay_pending`` waits for the broker's confirmation of each event in
    turn (a round trip each). Here the batch is published and confirmed once,
    and marked published with one ``UPDATE``. If the confirmation fails none is
    marked, and all are published again next time; some may have reached the
    broker already, which consumers absorb (idempotent by event id).
    """
    with session_factory() as session:
        query = (
            select(OutboxEvent.id, OutboxEvent.type, OutboxEvent.payload, OutboxEvent.created_at)
            .where(OutboxEvent.published_at.is_(None))
            .order_by(OutboxEvent.created_at, OutboxEvent.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = session.execute(query).all()
        if not rows:
            return 0
        ids = [row.id for row in rows]
        mine = OutboxEvent.id.in_(ids)
        attempts = OutboxEvent.publish_attempts + 1
        try:
            publish_batch([{"id": row.id, "type": row.type, "payload": row.payload,
                            "created_at": row.created_at.isoformat()} for row in rows])
        except Exception as exc:  # the broker's errors are many; all mean "not yet"
            log.warning("outbox publish of %d event(s) failed: %s", len(rows), exc)
            session.execute(update(OutboxEvent).where(mine).values(publish_attempts=attempts,
                                                                   last_error=str(exc)[:2000]))
            session.commit()
            return 0
        session.execute(update(OutboxEvent).where(mine).values(publish_attempts=attempts, published_at=utcnow(),
                                                               last_error=None))
        session.commit()
    return len(rows)


def pending_count(session: Session) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))) or 0
