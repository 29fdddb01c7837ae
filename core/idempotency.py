"""Idempotency keys for money-moving requests, stored in the database.

A key is claimed by inserting its row (the primary key makes concurrent claims
race safely on PostgreSQL and SQLite alike). The first response is stored and
returned again for the same key and body; another body is a conflict.

Keys live in a scope of method, path and caller, so that a replay never hands
one caller's response (an order's access token) to another. Anonymous callers
all share one scope: there the key itself is the only secret, so it must be
unguessable (``unguessable``), as a UUID4 or 16 random bytes are.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, String, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from core.db import Base, UtcDateTime, utcnow
from core.errors import Conflict

IN_PROGRESS = "in_progress"
DONE = "done"
# A claim this old belongs to a request that died (process killed); a retry may take it over.
STALE_AFTER = timedelta(minutes=2)
#: An anonymous caller's key: at least this long and this many bits by ``estimated_bits``.
#: A UUID4 (estimates of 110-160 bits), 16 random bytes in hex (90 and more) or base64url (74
#: and more) pass; counters and short words ("order-17", "order-2026-12-02-0001": 61) do not.
ANONYMOUS_KEY_MIN_LENGTH = 20
ANONYMOUS_KEY_MIN_BITS = 64


def estimated_bits(key: str) -> float:
    """Length times the Shannon entropy of the key's own characters: a rough upper bound of its randomness.

    It cannot tell a random key from a cleverly patterned one, but it refuses
    what people type or count (repeated characters, few distinct ones, short).
    """
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values()) if key else 0.0
    return per_char * len(key)


def unguessable(key: str) -> bool:
    return len(key) >= ANONYMOUS_KEY_MIN_LENGTH and estimated_bits(key) >= ANONYMOUS_KEY_MIN_BITS


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"

    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: Any


def request_fingerprint(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim(
    factory: sessionmaker[Session], scope: str, key: str, fingerprint: str, now: datetime | None = None
) -> StoredResponse | None:
    """Claim ``key``; ``None`` means go ahead, a ``StoredResponse`` means replay it."""
    now = now or utcnow()
    with factory() as session:
        session.add(IdempotencyRecord(scope=scope, key=key, request_hash=fingerprint, state=IN_PROGRESS,
                                      created_at=now))
        try:
            session.commit()
            return None
        except IntegrityError:
            session.rollback()
        record = session.scalars(
            select(IdempotencyRecord).where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
        ).one()
        if record.request_hash != fingerprint:
            raise Conflict(
                "this Idempotency-Key was used with a different request body",
                details={"idempotency_key": key},
                code="idempotency_key_reused",
            )
        if record.state != DONE and record.created_at < now - STALE_AFTER:
            taken = session.execute(
                update(IdempotencyRecord)
                .where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key,
                       IdempotencyRecord.state == IN_PROGRESS, IdempotencyRecord.created_at == record.created_at)
                .values(created_at=now)
            ).rowcount
            session.commit()
            if taken == 1:
                return None
        if record.state != DONE or record.response_status is None:
            raise Conflict(
                "a request with this Idempotency-Key is still in progress; retry shortly",
                details={"idempotency_key": key},
                code="idempotency_in_progress",
            )
        return StoredResponse(record.response_status, record.response_body)


def complete(factory: sessionmaker[Session], scope: str, key: str, status: int, body: Any) -> None:
    with factory() as session:
        record = session.get(IdempotencyRecord, (scope, key))
        if record is None:
            return
        record.state = DONE
        record.response_status = status
        record.response_body = body
        record.completed_at = utcnow()
        session.commit()


def release(factory: sessionmaker[Session], scope: str, key: str) -> None:
    """Forget an in-progress claim after a failure that did not change anything."""
    with factory() as session:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.scope == scope,
                IdempotencyRecord.key == key,
                IdempotencyRecord.state == IN_PROGRESS,
            )
        )
        session.commit()
