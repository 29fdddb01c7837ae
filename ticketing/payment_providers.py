"""Payment providers behind one interface. The sandbox card knows a few test tokens."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from core.money import Money


@dataclass(frozen=True, slots=True)
class CaptureResult:
    captured: bool
    reference: str | None = None
    decline_reason: str | None = None


class PaymentProvider(Protocol):
    def capture(self, amount: Money, source: str, reference: str) -> CaptureResult: ...


class SandboxCardProvider:
    """``tok_ok`` captures; ``tok_declined`` and ``tok_insufficient_funds`` decline; anything else is unknown."""

    DECLINES = {"tok_declined": "card_declined", "tok_insufficient_funds": "insufficient_funds"}

    def capture(self, amount: Money, source: str, reference: str) -> CaptureResult:
        if source == "tok_ok":
            return CaptureResult(True, reference=f"sbx_{secrets.token_hex(8)}")
        if source in self.DECLINES:
            return CaptureResult(False, decline_reason=self.DECLINES[source])
        return CaptureResult(False, decline_reason="unknown_test_card")
