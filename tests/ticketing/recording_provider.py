"""A payment provider for tests that captures every call it gets (no deduplication by reference).

So a test that sees one capture proves that Farebridge itself asked once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.money import Money
from ticketing.payment_providers import CaptureResult


@dataclass
class RecordingProvider:
    decline: str | None = None  # a decline reason to answer with, or None to capture
    captures: list[tuple[Money, str, str]] = field(default_factory=list)
    declines: list[tuple[Money, str, str]] = field(default_factory=list)

    def capture(self, amount: Money, source: str, reference: str) -> CaptureResult:
        if self.decline:
            self.declines.append((amount, source, reference))
            return CaptureResult(False, decline_reason=self.decline)
        self.captures.append((amount, source, reference))
        return CaptureResult(True, reference=f"rec_{len(self.captures)}")

    @property
    def captured_minor(self) -> list[int]:
        return [amount.minor for amount, _, _ in self.captures]
