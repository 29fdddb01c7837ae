"""The prorated credit of a cancelled subscription: unused whole days, rounded down."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import Money
from ticketing.proration import prorate, unused_days

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 3, 1, tzinfo=BERLIN)
END = datetime(2026, 4, 1, tzinfo=BERLIN)  # 31 days, across the switch to summer time


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def test_the_day_of_cancellation_counts_as_used():
    # cancelled on 1 March: 30 of 31 days unused; 8900 * 30 / 31 = 8612.9 -> 8612
    assert prorate(eur(8900), START, END, datetime(2026, 3, 1, 18, 0, tzinfo=BERLIN)) == eur(8612)
    assert unused_days(START, END, datetime(2026, 3, 1, 0, 0, tzinfo=BERLIN)) == 30


def test_the_refund_is_rounded_down_to_the_cent():
    # 10 of 31 days unused: 8900 * 10 / 31 = 2870.97 -> 2870
    assert prorate(eur(8900), START, END, datetime(2026, 3, 21, 9, 0, tzinfo=BERLIN)) == eur(2870)


def test_days_are_counted_by_date_so_summer_time_does_not_cost_a_day():
    # 29 March has 23 hours; cancelling on 30 March leaves exactly one day, the 31st
    assert unused_days(START, END, datetime(2026, 3, 30, 0, 30, tzinfo=BERLIN)) == 1


def test_cancelling_before_the_period_refunds_all_and_on_its_last_day_nothing():
    assert prorate(eur(8900), START, END, START - timedelta(days=3)) == eur(8900)
    assert prorate(eur(8900), START, END, datetime(2026, 3, 31, 23, 59, tzinfo=BERLIN)) == eur(0)
    assert prorate(eur(8900), START, END, END + timedelta(days=10)) == eur(0)


def test_negative_amounts_and_empty_periods_are_refused():
    with pytest.raises(ValueError, match="never negative"):
        prorate(eur(-1), START, END, START)
    with pytest.raises(ValueError, match="no whole day"):
        prorate(eur(100), START, START, START)


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(BERLIN))


@given(amount=st.integers(min_value=0, max_value=10**9), start=moments, days=st.integers(min_value=1, max_value=400),
       first=moments, second=moments)
def test_a_prorated_refund_never_exceeds_the_amount_and_never_grows_with_a_later_cancellation(
        amount, start, days, first, second):
    start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=days)
    earlier, later = sorted((first, second))
    refund_earlier = prorate(eur(amount), start, end, earlier)
    refund_later = prorate(eur(amount), start, end, later)
    assert 0 <= refund_later.minor <= refund_earlier.minor <= amount
    # never more than the exact value of the unused days
    assert refund_earlier.minor * days <= amount * unused_days(start, end, earlier)
