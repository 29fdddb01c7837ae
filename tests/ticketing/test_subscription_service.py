"""Monthly subscriptions: start, renew exactly once per period, cancel with a prorated credit (both databases)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.errors import InvalidStateTransition, PaymentDeclined, ValidationFailed
from core.outbox import SALE_PAID, OutboxEvent
from tests.ticketing.recording_provider import RecordingProvider
from ticketing.models import Payment
from ticketing.pass_models import PassHolding, Subscription
from ticketing.passes import CardPayment
from ticketing.subscriptions import (
    CHARGED,
    DECLINED,
    SKIPPED,
    StartSubscription,
    cancel_subscription,
    current_pass,
    month_after,
    renew_due,
    renew_one,
    start_subscription,
)

BERLIN = ZoneInfo("Europe/Berlin")
PRODUCT = "subscription-month-all"
PRICE = 8900


def berlin(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def start(demo, day: date, provider=None, product=PRODUCT, category=None):
    provider = provider or RecordingProvider()
    cmd = StartSubscription(7, product, category, day, CardPayment("card", "tok_ok"))
    return start_subscription(demo.uow(), cmd, berlin(day, 8), provider)


def load(demo, subscription_id: str) -> Subscription:
    with demo.session_factory() as session:
        return session.get(Subscription, subscription_id)


def holdings(demo, subscription_id: str) -> list[PassHolding]:
    with demo.session_factory() as session:
        return list(session.scalars(select(PassHolding).where(PassHolding.subscription_id == subscription_id)
                                    .order_by(PassHolding.valid_from)))


def sales(demo) -> int:
    with demo.session_factory() as session:
        return session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == SALE_PAID))


def test_a_month_after_keeps_the_anchor_day_where_the_month_has_it():
    assert month_after(date(2026, 1, 31), 31) == date(2026, 2, 28)
    assert month_after(date(2026, 2, 28), 31) == date(2026, 3, 31)
    assert month_after(date(2026, 12, 15), 15) == date(2027, 1, 15)


def test_starting_pays_the_first_month_and_schedules_the_renewal_a_day_before_it_ends(demo):
    provider = RecordingProvider()
    subscription, holding = start(demo, date(2026, 1, 31), provider)

    assert provider.captured_minor == [PRICE]
    assert (holding.valid_from, holding.valid_until) == (berlin(date(2026, 1, 31)), berlin(date(2026, 2, 28)))
    assert holding.subscription_id == subscription.id and holding.owner_user_id == 7
    assert subscription.renews_at == berlin(date(2026, 2, 27))
    assert sales(demo) == 1


def test_only_subscription_products_can_be_subscribed(demo):
    with pytest.raises(ValidationFailed) as refused:
        start(demo, date(2026, 3, 2), product="month-bvb")
    assert refused.value.code == "not_a_subscription_product"
    assert "subscription-month-all" in refused.value.message


def test_a_declined_first_month_leaves_no_subscription(demo):
    with pytest.raises(PaymentDeclined):
        start(demo, date(2026, 3, 2), RecordingProvider(decline="insufficient_funds"))
    with demo.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_renewal_charges_each_period_once_even_when_run_twice(demo):
    subscription, _ = start(demo, date(2026, 1, 31))
    provider = RecordingProvider()

    assert renew_due(demo.uow(), berlin(date(2026, 2, 26), 23, 59), provider) == []
    first = renew_due(demo.uow(), berlin(date(2026, 2, 27), 1), provider)
    again = renew_due(demo.uow(), berlin(date(2026, 2, 27), 1), provider)
    later = renew_due(demo.uow(), berlin(date(2026, 3, 15)), provider)

    assert [(r.outcome, r.amount.minor) for r in first] == [(CHARGED, PRICE)]
    assert again == [] and later == []
    assert provider.captured_minor == [PRICE]
    assert [(h.valid_from, h.valid_until) for h in holdings(demo, subscription.id)] == [
        (berlin(date(2026, 1, 31)), berlin(date(2026, 2, 28))),
        (berlin(date(2026, 2, 28)), berlin(date(2026, 3, 31))),  # back on the 31st
    ]
    assert load(demo, subscription.id).renews_at == berlin(date(2026, 3, 30))
    assert sales(demo) == 2


def test_a_second_renewal_of_the_same_subscription_at_the_same_moment_is_skipped(demo):
    subscription, _ = start(demo, date(2026, 3, 2))
    provider = RecordingProvider()
    now = berlin(date(2026, 4, 1), 6)

    outcomes = [renew_one(demo.uow(), subscription.id, now, provider).outcome for _ in range(2)]

    assert outcomes == [CHARGED, SKIPPED]
    assert provider.captured_minor == [PRICE]


def test_the_next_month_is_charged_again_when_it_is_due(demo):
    subscription, _ = start(demo, date(2026, 3, 2))
    provider = RecordingProvider()
    renew_due(demo.uow(), berlin(date(2026, 4, 1), 6), provider)
    renew_due(demo.uow(), berlin(date(2026, 5, 1), 6), provider)

    assert provider.captured_minor == [PRICE, PRICE]
    assert len({reference for _, _, reference in provider.captures}) == 2  # one provider reference per period
    assert holdings(demo, subscription.id)[-1].valid_until == berlin(date(2026, 6, 2))


def test_a_declined_renewal_is_recorded_and_retried_later_without_moving_the_period(demo):
    subscription, _ = start(demo, date(2026, 3, 2))
    now = berlin(date(2026, 4, 1), 6)

    (declined,) = renew_due(demo.uow(), now, RecordingProvider(decline="card_declined"))
    assert (declined.outcome, declined.reason) == (DECLINED, "card_declined")
    stored = load(demo, subscription.id)
    assert stored.current_period_end == berlin(date(2026, 4, 2))
    assert stored.renews_at == now + timedelta(hours=12)
    assert stored.last_failure == "declined: card_declined"
    with demo.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Payment).where(Payment.status == "declined")) == 1

    provider = RecordingProvider()
    assert renew_due(demo.uow(), now + timedelta(hours=1), provider) == []
    (retried,) = renew_due(demo.uow(), now + timedelta(hours=13), provider)
    assert retried.outcome == CHARGED and provider.captured_minor == [PRICE]
    assert load(demo, subscription.id).last_failure is None


def test_a_subscription_that_lapsed_for_a_whole_period_restarts_today(demo):
    subscription, _ = start(demo, date(2026, 3, 2))
    (renewal,) = renew_due(demo.uow(), berlin(date(2026, 5, 20), 10), RecordingProvider())

    assert (renewal.period_start, renewal.period_end) == (berlin(date(2026, 5, 20)), berlin(date(2026, 6, 20)))


def test_cancelling_credits_the_unused_whole_days_and_ends_the_pass_with_the_day(demo):
    subscription, holding = start(demo, date(2026, 3, 1))

    cancelled = cancel_subscription(demo.uow(), subscription.id, berlin(date(2026, 3, 21), 9))

    # 31 days, the 21st used: 10 unused, 8900 x 10 / 31 = 2870.97 -> 2870
    assert (cancelled.status, cancelled.credit_minor, cancelled.renews_at) == ("cancelled", 2870, None)
    with demo.session_factory() as session:
        assert session.get(PassHolding, holding.id).valid_until == berlin(date(2026, 3, 22))
    assert renew_due(demo.uow(), berlin(date(2026, 3, 31), 6), RecordingProvider()) == []
    with pytest.raises(InvalidStateTransition):
        cancel_subscription(demo.uow(), subscription.id, berlin(date(2026, 3, 22), 9))


def test_cancelling_after_the_next_month_was_charged_in_advance_credits_all_of_it(demo):
    subscription, first = start(demo, date(2026, 3, 1))
    renew_due(demo.uow(), berlin(date(2026, 3, 31), 6), RecordingProvider())

    cancelled = cancel_subscription(demo.uow(), subscription.id, berlin(date(2026, 3, 31), 10))

    assert cancelled.credit_minor == PRICE
    with demo.session_factory() as session:
        upcoming = current_pass(session, load(demo, subscription.id))
        assert upcoming.valid_until == upcoming.valid_from == berlin(date(2026, 4, 1))  # never valid
        assert session.get(PassHolding, first.id).valid_until == berlin(date(2026, 4, 1))  # the paid month runs out
