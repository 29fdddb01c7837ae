"""Domain errors. ``webapp/errors.py`` is the only place that maps them to HTTP."""
from __future__ import annotations

from typing import Any


class FarebridgeError(Exception):
    code = "error"

    def __init__(self, message: str, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code


class ValidationFailed(FarebridgeError):
    """Input that cannot be accepted; ``details`` lists ``{file, line, field, message}``."""

    code = "validation_failed"


class NotFound(FarebridgeError):
    code = "not_found"


class Conflict(FarebridgeError):
    code = "conflict"


class Forbidden(FarebridgeError):
    code = "forbidden"


class Unauthorized(FarebridgeError):
    code = "unauthorized"


class NoFareFound(FarebridgeError):
    code = "no_fare_found"


class NoJourneyFound(FarebridgeError):
    code = "no_journey_found"


class QuoteExpired(FarebridgeError):
    code = "quote_expired"


class InvalidStateTransition(FarebridgeError):
    code = "invalid_state"


class PaymentDeclined(FarebridgeError):
    code = "payment_declined"


class PeriodClosed(FarebridgeError):
    code = "period_closed"


class PaymentProviderUnavailable(FarebridgeError):
    code = "payment_provider_unavailable"


class RefundWindowClosed(FarebridgeError):
    code = "refund_window_closed"


class InputTooLarge(ValidationFailed):
    """An input crossed one of ``core.input_limits.InputLimits``; ``details`` name the limit and its setting."""

    code = "input_too_large"
