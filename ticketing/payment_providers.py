"""Payment providers behind one interface, and the one place that retries them.

A provider call carries our own ``reference`` (the order id, the top-up id) as
its idempotency key: calling again with the same reference never captures
twice, so a call that failed transiently is retried with that same reference
(``capture_with_retries``). A decline is an answer, not a failure: it is never
retried.

The sandbox card knows these test tokens:

* ``tok_ok`` captures;
* ``tok_declined`` and ``tok_insufficient_funds`` decline with that reason;
* ``tok_transient`` fails with ``TransientProviderError`` for the first
  ``transient_failures`` attempts of a reference, then captures.

It keeps its captures and refunds per reference in a database table
(``sandbox_card_references``, migration 0006), as a real provider keeps them
on its side: a refund on another web worker or after a restart finds the
capture, a retry captures once and a refund never exceeds the capture.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import BigInteger, Connection, Integer, String, create_engine, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.pool import StaticPool

from core.db import Base, make_engine
from core.errors import PaymentProviderUnavailable
from core.money import Money
from core.runtime import get_runtime

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CaptureResult:
    captured: bool
    reference: str | None = None
    decline_reason: str | None = None


@dataclass(frozen=True, slots=True)
class RefundResult:
    refunded: bool
    reference: str | None = None
    failure_reason: str | None = None


class TransientProviderError(Exception):
    """The provider could not answer now (timeout, 5xx); the same call may be retried."""


class PaymentProvider(Protocol):
    def capture(self, amount: Money, source: str, reference: str) -> CaptureResult: ...

    def refund(self, reference: str, amount: Money) -> RefundResult: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries with exponential backoff: delays 0.05 s, 0.2 s, ... at most ``max_delay_s``."""

    attempts: int = 3
    first_delay_s: float = 0.05
    factor: float = 4.0
    max_delay_s: float = 1.0

    def delay(self, attempt: int) -> float:
        return min(self.first_delay_s * self.factor ** (attempt - 1), self.max_delay_s)


DEFAULT_RETRY = RetryPolicy()


def with_retries(call: Callable[[], T], what: str, policy: RetryPolicy = DEFAULT_RETRY,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``call`` until it answers; ``TransientProviderError`` is retried, up to ``policy.attempts``."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return call()
        except TransientProviderError as error:
            if attempt == policy.attempts:
                log.warning("%s failed %d times, giving up: %s", what, attempt, error)
                raise PaymentProviderUnavailable(
                    "the payment provider is not reachable right now; nothing was charged, try again later",
                    details={"attempts": attempt},
                ) from error
            log.info("%s failed transiently (attempt %d), retrying: %s", what, attempt, error)
            sleep(policy.delay(attempt))
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def capture_with_retries(provider: PaymentProvider, amount: Money, source: str, reference: str,
                         policy: RetryPolicy = DEFAULT_RETRY,
                         sleep: Callable[[float], None] = time.sleep) -> CaptureResult:
    return with_retries(lambda: provider.capture(amount, source, reference), f"capture reference={reference}",
                        policy, sleep)


def refund_with_retries(provider: PaymentProvider, reference: str, amount: Money,
                        policy: RetryPolicy = DEFAULT_RETRY,
                        sleep: Callable[[float], None] = time.sleep) -> RefundResult:
    return with_retries(lambda: provider.refund(reference, amount), f"refund reference={reference}", policy, sleep)


class SandboxCardRecord(Base):
    """What the sandbox provider knows of one of our references: as a real provider keeps it on its side.

    In the database, not in a process: a refund that reaches another web
    worker, or comes after a restart, finds the capture (issue 14).
    """

    __tablename__ = "sandbox_card_references"

    reference: Mapped[str] = mapped_column(String(100), primary_key=True)  # ours: order id, top-up id ...
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    provider_reference: Mapped[str | None] = mapped_column(String(40), unique=True)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    capture_count: Mapped[int] = mapped_column(Integer, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_count: Mapped[int] = mapped_column(Integer, default=0)


TABLE = SandboxCardRecord.__table__


def sandbox_store_url(database_url: str, instance_dir: Path) -> str:
    """Where the sandbox keeps its state: the database itself on PostgreSQL; beside it on SQLite.

    SQLite has one writer: a payment holds the write lock while the provider
    answers, so a provider writing to the same file would wait for itself.
    """
    if database_url.startswith("sqlite"):
        return f"sqlite:///{instance_dir / 'sandbox_provider.db'}"
    return database_url


class SandboxCardProvider:
    """The sandbox card (test tokens in the module docstring). Thread-safe, and shared by processes.

    ``store_url``: the database of its state (``sandbox_store_url``); without
    one, a private in-memory database (unit tests). Every decision is a
    conditional update, so that processes sharing a store never capture twice
    or refund more than was captured.
    """

    DECLINES = {"tok_declined": "card_declined", "tok_insufficient_funds": "insufficient_funds"}
    TRANSIENT = "tok_transient"

    def __init__(self, transient_failures: int = 2, store_url: str | None = None) -> None:
        self.transient_failures = transient_failures
        self._lock = threading.Lock()
        if store_url is None:
            self._engine = create_engine("sqlite://", poolclass=StaticPool,
                                         connect_args={"check_same_thread": False})
        else:
            self._engine = make_engine(store_url)
        if self._engine.dialect.name == "sqlite":  # the sandbox's own file; PostgreSQL has migration 0006
            TABLE.create(self._engine, checkfirst=True)

    def _record(self, conn: Connection, reference: str, lock: bool = False) -> Any:
        query = select(TABLE).where(or_(TABLE.c.reference == reference, TABLE.c.provider_reference == reference))
        return conn.execute(query.with_for_update() if lock else query).first()

    def capture(self, amount: Money, source: str, reference: str) -> CaptureResult:
        with self._lock:
            return self._capture(amount, source, reference)

    def _capture(self, amount: Money, source: str, reference: str) -> CaptureResult:
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(TABLE).values(reference=reference, attempts=0, capture_count=0,
                                                  refunded_minor=0, refund_count=0))
        except IntegrityError:
            pass  # seen before (or another process inserted it just now)
        timeout = None  # raised after the attempt is committed
        with self._engine.begin() as conn:
            conn.execute(update(TABLE).where(TABLE.c.reference == reference).values(attempts=TABLE.c.attempts + 1))
            row = conn.execute(select(TABLE).where(TABLE.c.reference == reference).with_for_update()).one()
            if row.provider_reference is not None:  # the same reference again: the first answer, no second capture
                if (row.amount_minor, row.currency) != (amount.minor, amount.currency):
                    return CaptureResult(False, decline_reason="reference_reused_with_another_amount")
                return CaptureResult(True, reference=row.provider_reference)
            if source == self.TRANSIENT and row.attempts <= self.transient_failures:
                timeout = TransientProviderError(f"sandbox: simulated timeout (attempt {row.attempts})")
            elif source in self.DECLINES:
                return CaptureResult(False, decline_reason=self.DECLINES[source])
            elif source not in ("tok_ok", self.TRANSIENT):
                return CaptureResult(False, decline_reason="unknown_test_card")
            else:
                provider_reference = f"sbx_{secrets.token_hex(8)}"
                conn.execute(update(TABLE).where(TABLE.c.reference == reference).values(
                    provider_reference=provider_reference, amount_minor=amount.minor, currency=amount.currency,
                    capture_count=TABLE.c.capture_count + 1))
                return CaptureResult(True, reference=provider_reference)
        raise timeout

    def refund(self, reference: str, amount: Money) -> RefundResult:
        """``reference``: ours (the order id) or the provider's (``sbx_...``); never more than was captured."""
        with self._lock, self._engine.begin() as conn:
            row = self._record(conn, reference, lock=True)
            if row is None or row.provider_reference is None:
                return RefundResult(False, failure_reason="unknown_reference")
            if amount.currency != row.currency:
                return RefundResult(False, failure_reason="currency_mismatch")
            if amount.minor <= 0:
                return RefundResult(False, failure_reason="invalid_amount")
            done = conn.execute(
                update(TABLE)
                .where(TABLE.c.reference == row.reference,
                       TABLE.c.refunded_minor + amount.minor <= TABLE.c.amount_minor)
                .values(refunded_minor=TABLE.c.refunded_minor + amount.minor, refund_count=TABLE.c.refund_count + 1)
            ).rowcount
            if done != 1:
                return RefundResult(False, failure_reason="exceeds_captured_amount")
            return RefundResult(True, reference=f"sbx_rf_{secrets.token_hex(8)}")

    # --- what the sandbox saw (for tests) ---------------------------------------------------

    def _seen(self, reference: str, column: str) -> int:
        with self._engine.connect() as conn:
            row = self._record(conn, reference)
            return int(getattr(row, column) or 0) if row is not None else 0

    def attempts(self, reference: str) -> int:
        return self._seen(reference, "attempts")

    def capture_count(self, reference: str) -> int:
        return self._seen(reference, "capture_count")

    def refunded_minor(self, reference: str) -> int:
        return self._seen(reference, "refunded_minor")

    def dispose(self) -> None:
        self._engine.dispose()


_sandboxes: dict[str, SandboxCardProvider] = {}
_sandboxes_lock = threading.Lock()


def sandbox_provider() -> SandboxCardProvider:
    """The sandbox of the current runtime's database: every process (and a restart) sees the same captures."""
    settings = get_runtime().settings
    url = sandbox_store_url(settings.database_url, settings.instance_dir)
    with _sandboxes_lock:
        if url not in _sandboxes:
            _sandboxes[url] = SandboxCardProvider(store_url=url)
        return _sandboxes[url]


def forget_sandboxes() -> None:
    """Drop this process's connections to sandbox stores (their state stays in the database)."""
    with _sandboxes_lock:
        for sandbox in _sandboxes.values():
            sandbox.dispose()
        _sandboxes.clear()
