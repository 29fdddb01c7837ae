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

It keeps its captures and refunds per reference (in memory, per process), so
tests can prove that a retry captured once and a refund never exceeds the
capture.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from core.errors import PaymentProviderUnavailable
from core.money import Money

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


@dataclass(slots=True)
class _Capture:
    amount: Money
    provider_reference: str
    refunded_minor: int = 0
    refunds: list[str] = field(default_factory=list)


class SandboxCardProvider:
    """The sandbox card (test tokens in the module docstring). Thread-safe."""

    DECLINES = {"tok_declined": "card_declined", "tok_insufficient_funds": "insufficient_funds"}
    TRANSIENT = "tok_transient"

    def __init__(self, transient_failures: int = 2) -> None:
        self.transient_failures = transient_failures
        self._lock = threading.Lock()
        self._captures: dict[str, _Capture] = {}  # by our reference
        self._by_provider_reference: dict[str, str] = {}
        self._attempts: dict[str, int] = {}
        self._capture_count: dict[str, int] = {}

    def capture(self, amount: Money, source: str, reference: str) -> CaptureResult:
        with self._lock:
            self._attempts[reference] = attempt = self._attempts.get(reference, 0) + 1
            existing = self._captures.get(reference)
            if existing is not None:  # the same reference again: the first answer, no second capture
                if existing.amount != amount:
                    return CaptureResult(False, decline_reason="reference_reused_with_another_amount")
                return CaptureResult(True, reference=existing.provider_reference)
            if source == self.TRANSIENT and attempt <= self.transient_failures:
                raise TransientProviderError(f"sandbox: simulated timeout (attempt {attempt})")
            if source in self.DECLINES:
                return CaptureResult(False, decline_reason=self.DECLINES[source])
            if source not in ("tok_ok", self.TRANSIENT):
                return CaptureResult(False, decline_reason="unknown_test_card")
            provider_reference = f"sbx_{secrets.token_hex(8)}"
            self._captures[reference] = _Capture(amount, provider_reference)
            self._by_provider_reference[provider_reference] = reference
            self._capture_count[reference] = self._capture_count.get(reference, 0) + 1
            return CaptureResult(True, reference=provider_reference)

    def refund(self, reference: str, amount: Money) -> RefundResult:
        """``reference``: ours (the order id) or the provider's (``sbx_...``); never more than was captured."""
        with self._lock:
            capture = self._captures.get(self._by_provider_reference.get(reference, reference))
            if capture is None:
                return RefundResult(False, failure_reason="unknown_reference")
            if amount.currency != capture.amount.currency:
                return RefundResult(False, failure_reason="currency_mismatch")
            if amount.minor <= 0:
                return RefundResult(False, failure_reason="invalid_amount")
            if capture.refunded_minor + amount.minor > capture.amount.minor:
                return RefundResult(False, failure_reason="exceeds_captured_amount")
            capture.refunded_minor += amount.minor
            refund_reference = f"sbx_rf_{secrets.token_hex(8)}"
            capture.refunds.append(refund_reference)
            return RefundResult(True, reference=refund_reference)

    # --- what the sandbox saw (for tests) ---------------------------------------------------

    def attempts(self, reference: str) -> int:
        with self._lock:
            return self._attempts.get(reference, 0)

    def capture_count(self, reference: str) -> int:
        with self._lock:
            return self._capture_count.get(reference, 0)

    def refunded_minor(self, reference: str) -> int:
        with self._lock:
            capture = self._captures.get(self._by_provider_reference.get(reference, reference))
            return capture.refunded_minor if capture else 0


_sandbox = SandboxCardProvider()


def sandbox_provider() -> SandboxCardProvider:
    """The process-wide sandbox, so that a refund finds the capture made by an earlier request."""
    return _sandbox
