"""What a cancelled subscription gives back for the unused part of its period (pure).

The rule: the period's days are the calendar dates from ``period_start`` up
to, not including, ``period_end``. The day of the cancellation counts as used
(the pass stays valid until that day ends), and so does every day before it;
the remaining whole days are refunded at
``amount × unused days / days of the period``, **rounded down** to the minor
unit, so a refund never exceeds the exact value of the unused days and the
operators never give back more than they received. Cancelling before the
period starts refunds everything; on or after its last day, nothing.

Dates are read from the datetimes as given: pass them in the network's local
time, shifted back by the service-day start when a service day does not begin
at midnight (the service converts; this function does not guess a timezone).
"""
from __future__ import annotations

from datetime import datetime

from core.money import Money


def period_days(period_start: datetime, period_end: datetime) -> int:
    return (period_end.date() - period_start.date()).days


def unused_days(period_start: datetime, period_end: datetime, cancelled_at: datetime) -> int:
    total = period_days(period_start, period_end)
    used = (cancelled_at.date() - period_start.date()).days + 1  # the day of the cancellation is used
    return total - min(max(used, 0), total)


def prorate(amount: Money, period_start: datetime, period_end: datetime, cancelled_at: datetime) -> Money:
    """The refund for the whole days after ``cancelled_at``'s day, rounded down to the minor unit."""
    if amount.minor < 0:
        raise ValueError("a prorated amount is never negative")
    total = period_days(period_start, period_end)
    if total <= 0:
        raise ValueError(f"the period {period_start.isoformat()} to {period_end.isoformat()} has no whole day")
    return Money(amount.minor * unused_days(period_start, period_end, cancelled_at) // total, amount.currency)
