"""Dead letters: events clearing gave up on, kept (not lost) until they are replayed.

The Celery task ``farebridge.clear_event`` writes one here when its last retry
failed, or at once for an error that a retry cannot fix (a malformed event, a
bug). ``replay`` clears them again in-process: clearing is idempotent by event
id, so replaying an event that was cleared in the meantime changes nothing,
and a dead letter is marked resolved once its event is cleared.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from clearing import services
from core.db import Base, UtcDateTime, utcnow
from core.errors import NotFound
from core.unit_of_work import SqlUnitOfWork

log = logging.getLogger(__name__)

FAILED = "failed"
MAX_ERROR = 4000


class DeadLetter(Base):
    """``payload`` holds the whole message (``id``, ``type``, ``payload``, ``created_at``) as it was delivered."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[Any] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    first_failed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_failed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


def event_id_of(message: Any, fallback: str) -> str:
    """The event id, or ``fallback`` (the task id) for a message too malformed to carry one."""
    event_id = message.get("id") if isinstance(message, dict) else None
    return event_id if isinstance(event_id, str) and 0 < len(event_id) <= 64 else f"task:{fallback}"[:64]


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:MAX_ERROR]


def record_failure(session: Session, event_id: str, message: Any, error: str, attempts: int,
                   now: datetime) -> DeadLetter:
    """Add the dead letter, or count another failure of one already there (it is unresolved again)."""
    letter = session.scalars(select(DeadLetter).where(DeadLetter.event_id == event_id)).one_or_none()
    if letter is None:
        event_type = message.get("type") if isinstance(message, dict) else None
        letter = DeadLetter(event_id=event_id, event_type=str(event_type)[:64] if event_type else None,
                            payload=message, error=error, attempts=attempts, first_failed_at=now, last_failed_at=now)
        session.add(letter)
    else:
        letter.error, letter.last_failed_at, letter.resolved_at = error, now, None
        letter.attempts += attempts
    return letter


def store(session_factory: sessionmaker[Session], event_id: str, message: Any, error: BaseException,
          attempts: int) -> None:
    """The task's failure path: its own transaction (the clearing one was rolled back)."""
    with session_factory() as session:
        record_failure(session, event_id, message, describe(error), attempts, utcnow())
        session.commit()
    log.warning("dead-lettered event_id=%s after %s attempt(s): %s", event_id, attempts, describe(error)[:200])


def is_dead(session_factory: sessionmaker[Session], event_id: str) -> bool:
    with session_factory() as session:
        return session.scalars(select(DeadLetter.id).where(
            DeadLetter.event_id == event_id, DeadLetter.resolved_at.is_(None))).first() is not None


def dead_letters(session: Session, include_resolved: bool = False) -> list[DeadLetter]:
    query = select(DeadLetter).order_by(DeadLetter.first_failed_at, DeadLetter.id)
    if not include_resolved:
        query = query.where(DeadLetter.resolved_at.is_(None))
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class Replayed:
    event_id: str
    outcome: str  # cleared | duplicate | ignored | failed
    error: str | None = None


def replay(session_factory: sessionmaker[Session], event_ids: Sequence[str] | None = None,
           now: datetime | None = None) -> list[Replayed]:
    """Clear dead letters again: the given ones (resolved or not), else every unresolved one."""
    with session_factory() as session:
        if event_ids is None:
            letters = dead_letters(session)
        else:
            letters = list(session.scalars(select(DeadLetter).where(DeadLetter.event_id.in_(event_ids))))
            missing = set(event_ids) - {letter.event_id for letter in letters}
            if missing:
                raise NotFound(f"no dead letter for event(s) {', '.join(sorted(missing))}")
        work = [(letter.event_id, letter.payload) for letter in letters]
    return [_replay_one(session_factory, event_id, message, now) for event_id, message in work]


def _replay_one(session_factory: sessionmaker[Session], event_id: str, message: Any,
                now: datetime | None) -> Replayed:
    try:
        if not isinstance(message, dict):
            raise TypeError(f"the message is a {type(message).__name__}, not an event")
        outcome = services.clear_event(SqlUnitOfWork(session_factory), message)
    except Exception as error:  # noqa: BLE001 - whatever failed, the letter keeps it
        with session_factory() as session:
            record_failure(session, event_id, message, describe(error), 1, now or utcnow())
            session.commit()
        return Replayed(event_id, FAILED, describe(error))
    with session_factory() as session:
        letter = session.scalars(select(DeadLetter).where(DeadLetter.event_id == event_id)).one()
        if letter.resolved_at is None:
            letter.resolved_at = now or utcnow()
        session.commit()
    log.info("replayed dead letter event_id=%s: %s", event_id, outcome)
    return Replayed(event_id, outcome)
