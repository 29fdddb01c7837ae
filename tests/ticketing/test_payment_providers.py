"""The sandbox card and the one retry policy: transient failures are retried with the same reference."""
from __future__ import annotations

import pytest

from core.errors import PaymentProviderUnavailable
from core.money import Money
from ticketing.payment_providers import (
    RetryPolicy,
    SandboxCardProvider,
    TransientProviderError,
    capture_with_retries,
    refund_with_retries,
)

EUR_20 = Money(2000, "EUR")


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_test_tokens_capture_or_decline_with_a_reason():
    sandbox = SandboxCardProvider()
    ok = sandbox.capture(EUR_20, "tok_ok", "order-1")
    assert ok.captured and ok.reference.startswith("sbx_")
    assert sandbox.capture(EUR_20, "tok_declined", "order-2").decline_reason == "card_declined"
    assert sandbox.capture(EUR_20, "tok_insufficient_funds", "order-3").decline_reason == "insufficient_funds"
    assert sandbox.capture(EUR_20, "tok_nonsense", "order-4").decline_reason == "unknown_test_card"
    assert [sandbox.capture_count(r) for r in ("order-1", "order-2", "order-3", "order-4")] == [1, 0, 0, 0]


def test_transient_failures_are_retried_with_backoff_and_capture_once():
    sandbox, sleeps = SandboxCardProvider(transient_failures=2), Sleeps()
    result = capture_with_retries(sandbox, EUR_20, "tok_transient", "order-1", RetryPolicy(attempts=3), sleeps)
    assert result.captured
    assert sandbox.attempts("order-1") == 3
    assert sandbox.capture_count("order-1") == 1
    assert sleeps == [0.05, 0.2]


def test_capturing_a_reference_again_returns_the_first_capture_without_charging_twice():
    sandbox = SandboxCardProvider()
    first = sandbox.capture(EUR_20, "tok_ok", "order-1")
    again = sandbox.capture(EUR_20, "tok_ok", "order-1")
    assert again.reference == first.reference
    assert sandbox.capture_count("order-1") == 1
    other_amount = sandbox.capture(Money(2100, "EUR"), "tok_ok", "order-1")
    assert (other_amount.captured, other_amount.decline_reason) == (False, "reference_reused_with_another_amount")


def test_retries_are_bounded_and_then_the_provider_is_unavailable():
    sandbox, sleeps = SandboxCardProvider(transient_failures=10), Sleeps()
    with pytest.raises(PaymentProviderUnavailable) as raised:
        capture_with_retries(sandbox, EUR_20, "tok_transient", "order-1", RetryPolicy(attempts=4), sleeps)
    assert raised.value.details == {"attempts": 4}
    assert sandbox.attempts("order-1") == 4
    assert sandbox.capture_count("order-1") == 0
    assert sleeps == [0.05, 0.2, 0.8]


def test_backoff_never_waits_longer_than_its_maximum():
    policy = RetryPolicy(attempts=6, first_delay_s=0.1, factor=10, max_delay_s=2.0)
    assert [policy.delay(n) for n in range(1, 5)] == [0.1, 1.0, 2.0, 2.0]


def test_a_decline_is_an_answer_and_is_not_retried():
    sandbox, sleeps = SandboxCardProvider(), Sleeps()
    result = capture_with_retries(sandbox, EUR_20, "tok_declined", "order-1", sleep=sleeps)
    assert result.decline_reason == "card_declined"
    assert (sandbox.attempts("order-1"), sleeps) == (1, [])


def test_refunds_never_exceed_what_was_captured_for_the_reference():
    sandbox = SandboxCardProvider()
    provider_reference = sandbox.capture(EUR_20, "tok_ok", "order-1").reference
    assert sandbox.refund("order-1", Money(1500, "EUR")).refunded
    assert sandbox.refund(provider_reference, Money(500, "EUR")).refunded  # the provider's reference works too
    too_much = sandbox.refund("order-1", Money(1, "EUR"))
    assert (too_much.refunded, too_much.failure_reason) == (False, "exceeds_captured_amount")
    assert sandbox.refunded_minor("order-1") == 2000
    assert sandbox.refund("never-captured", Money(1, "EUR")).failure_reason == "unknown_reference"
    assert sandbox.refund("order-1", Money(1, "USD")).failure_reason == "currency_mismatch"


def test_refund_retries_transient_failures_through_the_same_policy():
    class FlakyRefunds(SandboxCardProvider):
        failures = 1

        def refund(self, reference, amount):
            if self.failures:
                self.failures -= 1
                raise TransientProviderError("timeout")
            return super().refund(reference, amount)

    sandbox, sleeps = FlakyRefunds(), Sleeps()
    sandbox.capture(EUR_20, "tok_ok", "order-1")
    result = refund_with_retries(sandbox, "order-1", Money(700, "EUR"), sleep=sleeps)
    assert result.refunded and result.reference.startswith("sbx_rf_")
    assert (sandbox.refunded_minor("order-1"), sleeps) == (700, [0.05])
