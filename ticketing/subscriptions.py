"""Monthly subscriptions: a month pass that renews itself until it is cancelled.

* **Start**: the first month is paid at once and becomes a ``PassHolding``.
* **Periods**: a calendar month pass runs to the end of its calendar month; a
  rolling one for one month from the day the subscription started (a start on
  the 31st renews on the last day of shorter months and returns to the 31st).
* **Renewal** (``renew_due``): the next period is charged a day before the
  current one ends (``RENEW_AHEAD``), at the active tariff's price for the
  product. Each renewal claims its period with a conditional update of the
  subscription (only one run can move it on), the holding's unique
  ``(subscription_id, valid_from)`` backs that up, and the provider is asked
  with one reference per period, so a rerun or a concurrent run never charges
  a period twice. A decline keeps the subscription and retries after
  ``RETRY_AFTER``; a subscription that lapsed for a whole period restarts
  today rather than charging months nobody could ride.
* **Cancel**: no further renewal; the current period's pass stays valid until
  the end of the day of cancellation and the unused whole days are credited
  (``ticketing.proration.prorate``, rounded down). The credit is recorded on
  the subscription (``credit_minor``): no refund service exists yet to pay it
  back to the card.
"""
from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.access_tokens import hash_token, new_token
from core.db import new_id
from core.errors import FarebridgeError, InvalidStateTransition, NotFound, ValidationFailed
from core.money import Money
from core.unit_of_work import SqlUnitOfWork
from ticketing.pass_models import ACTIVE, CANCELLED, PassHolding, Subscription
from ticketing.pass_products import PassCatalog, PassProduct, pass_catalog
from ticketing.pass_sales import Declined, PassSale, decline_or_commit, record_decline, sell_pass
from ticketing.passes import MAX_DAYS_AHEAD, CardPayment
from ticketing.payment_providers import PaymentProvider
from ticketing.proration import prorate

log = logging.getLogger(__name__)

RENEW_AHEAD = timedelta(days=1)
RETRY_AFTER = timedelta(hours=12)
CHARGED, DECLINED, FAILED, SKIPPED = "charged", "declined", "failed", "skipped"


@dataclass(frozen=True, slots=True)
class StartSubscription:
    owner_user_id: int
    pass_product_id: str
    rider_category: str | None
    start_date: date | None  # None: today (the tariff's service day)
    payment: CardPayment


@dataclass(frozen=True, slots=True)
class Renewal:
    subscription_id: str
    outcome: str  # charged | declined | failed | skipped
    amount: Money | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    pass_id: str | None = None
    reason: str | None = None


def month_after(day: date, anchor_day: int) -> date:
    """The anchor day of the month after ``day``'s, or that month's last day when it is shorter."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def period_end(product: PassProduct, start: datetime, anchor_day: int) -> datetime:
    """Where a period beginning at ``start`` (local, aware) ends."""
    if product.rule.calendar:
        return product.rule.valid_until(start)
    return datetime.combine(month_after(start.date(), anchor_day), start.timetz())


def _subscription_product(catalog: PassCatalog, product_id: str) -> PassProduct:
    product = catalog.product(product_id)
    if not product.subscription:
        offered = ", ".join(p.id for p in catalog.products if p.subscription) or "none"
        raise ValidationFailed(f"pass {product.id} cannot be subscribed to (subscription products: {offered})",
                               details=[{"field": "pass_product_id", "message": "not a subscription product"}],
                               code="not_a_subscription_product")
    return product


def period_reference(subscription_id: str, start: datetime) -> str:
    """The provider reference of one period's charge: the same period always has the same reference."""
    return f"sub:{subscription_id}:{start.date().isoformat()}"


def start_subscription(
    uow: SqlUnitOfWork, cmd: StartSubscription, now: datetime, provider: PaymentProvider
) -> tuple[Subscription, PassHolding]:
    """Create the subscription and pay its first month; ``PaymentDeclined`` leaves no subscription."""
    card_token = cmd.payment.check()
    with uow:
        session = uow.session
        catalog = pass_catalog(session)
        product = _subscription_product(catalog, cmd.pass_product_id)
        category, amount = catalog.price(product, cmd.rider_category)
        start = catalog.day_start(catalog.start_day(cmd.start_date, now, MAX_DAYS_AHEAD))
        end = period_end(product, start, start.day)
        subscription = Subscription(
            id=new_id(), owner_user_id=cmd.owner_user_id, pass_product_id=product.id, rider_category=category,
            payment_method=cmd.payment.method, payment_source=card_token, currency=amount.currency,
            timezone=catalog.timezone, started_at=start, current_period_start=start, current_period_end=end,
            renews_at=end - RENEW_AHEAD, status=ACTIVE, created_at=now,
        )
        session.add(subscription)
        session.flush()
        sale = PassSale(product, category, amount, start, end, cmd.owner_user_id, None, hash_token(new_token()),
                        subscription_id=subscription.id)
        outcome = sell_pass(session, catalog, sale, now, provider, card_token, period_reference(subscription.id, start))
        decline_or_commit(uow, outcome, now)
        return subscription, outcome


def get_subscription(session: Session, subscription_id: str) -> Subscription:
    subscription = session.get(Subscription, subscription_id)
    if subscription is None:
        raise NotFound(f"no subscription {subscription_id}")
    return subscription


def current_pass(session: Session, subscription: Subscription) -> PassHolding | None:
    return session.scalars(select(PassHolding).where(
        PassHolding.subscription_id == subscription.id,
        PassHolding.valid_from == subscription.current_period_start)).one_or_none()


# --- renewal -----------------------------------------------------------------------------------


def renew_due(uow: SqlUnitOfWork, now: datetime, provider: PaymentProvider) -> list[Renewal]:
    """Charge the next period of every active subscription whose ``renews_at`` has come; one transaction each."""
    with uow:
        due = list(uow.session.scalars(
            select(Subscription.id).where(Subscription.status == ACTIVE, Subscription.renews_at <= now)
            .order_by(Subscription.renews_at, Subscription.id)))
    renewals = []
    for subscription_id in due:
        try:
            renewals.append(renew_one(uow, subscription_id, now, provider))
        except FarebridgeError as error:  # e.g. the provider is unreachable: nothing was kept, the next run retries
            log.warning("subscription renewal failed subscription_id=%s: %s", subscription_id, error.message)
            renewals.append(Renewal(subscription_id, FAILED, reason=error.message))
    return renewals


def renew_one(uow: SqlUnitOfWork, subscription_id: str, now: datetime, provider: PaymentProvider) -> Renewal:
    with uow:
        session = uow.session
        subscription = get_subscription(session, subscription_id)
        if subscription.status != ACTIVE or subscription.renews_at is None or subscription.renews_at > now:
            return Renewal(subscription_id, SKIPPED, reason="not due (renewed or cancelled meanwhile)")
        catalog = pass_catalog(session)
        try:
            product = _subscription_product(catalog, subscription.pass_product_id)
            category, amount = catalog.price(product, subscription.rider_category)
        except FarebridgeError as error:  # the active tariff no longer sells it: try again later
            _postpone(session, subscription, now, error.message)
            uow.commit()
            return Renewal(subscription_id, FAILED, reason=error.message)
        tz = ZoneInfo(catalog.timezone)
        anchor_day = subscription.started_at.astimezone(tz).day
        start = subscription.current_period_end.astimezone(tz)
        end = period_end(product, start, anchor_day)
        started_at = subscription.started_at
        if end <= now:  # lapsed for a whole period: restart today
            start = catalog.day_start(catalog.service_day(now))
            end, started_at = period_end(product, start, start.day), start
        claimed = session.execute(
            update(Subscription)
            .where(Subscription.id == subscription_id, Subscription.status == ACTIVE,
                   Subscription.current_period_end == subscription.current_period_end)
            .values(current_period_start=start, current_period_end=end, renews_at=end - RENEW_AHEAD,
                    started_at=started_at, last_failure=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            return Renewal(subscription_id, SKIPPED, reason="renewed or cancelled concurrently")
        sale = PassSale(product, category, amount, start, end, subscription.owner_user_id, None,
                        hash_token(new_token()), subscription_id=subscription_id)
        outcome = sell_pass(session, catalog, sale, now, provider, subscription.payment_source,
                            period_reference(subscription_id, start))
        if isinstance(outcome, Declined):
            uow.rollback()
            record_decline(session, outcome, now)
            _postpone(session, get_subscription(session, subscription_id), now, f"declined: {outcome.reason}")
            uow.commit()
            log.info("subscription renewal declined subscription_id=%s", subscription_id)
            return Renewal(subscription_id, DECLINED, amount, start, end, reason=outcome.reason)
        try:
            uow.commit()
        except IntegrityError:  # another run sold this period first
            uow.rollback()
            return Renewal(subscription_id, SKIPPED, reason="renewed concurrently")
        log.info("subscription renewed subscription_id=%s pass_id=%s", subscription_id, outcome.id)
        return Renewal(subscription_id, CHARGED, amount, start, end, outcome.id)


def _postpone(session: Session, subscription: Subscription, now: datetime, reason: str) -> None:
    subscription.renews_at = now + RETRY_AFTER
    subscription.last_failure = reason[:200]


# --- cancellation ----------------------------------------------------------------------------------


def _service_clock(holding: PassHolding) -> tuple[ZoneInfo, timedelta]:
    """The pass's timezone and service-day start (a period always begins at a service-day start)."""
    tz = ZoneInfo(holding.timezone)
    local = holding.valid_from.astimezone(tz)
    return tz, timedelta(hours=local.hour, minutes=local.minute, seconds=local.second)


def cancel_subscription(uow: SqlUnitOfWork, subscription_id: str, now: datetime) -> Subscription:
    """Stop renewals, end the current pass with today's service day, and record the prorated credit."""
    with uow:
        session = uow.session
        subscription = get_subscription(session, subscription_id)
        cancelled = session.execute(
            update(Subscription)
            .where(Subscription.id == subscription_id, Subscription.status == ACTIVE)
            .values(status=CANCELLED, cancelled_at=now, renews_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if cancelled != 1:
            raise InvalidStateTransition(f"subscription {subscription_id} is already cancelled",
                                         code="already_cancelled")
        session.refresh(subscription)
        holding = current_pass(session, subscription)
        credit = 0
        if holding is not None:
            tz, day_start = _service_clock(holding)

            def local(moment: datetime) -> datetime:
                return moment.astimezone(tz) - day_start

            credit = prorate(Money(holding.amount_minor, holding.currency), local(holding.valid_from),
                             local(holding.valid_until), local(now)).minor
            end_of_today = datetime.combine(local(now).date() + timedelta(days=1), datetime.min.time(),
                                            tzinfo=tz) + day_start
            holding.valid_until = min(holding.valid_until, max(holding.valid_from, end_of_today))
        subscription.credit_minor = credit
        uow.commit()
        log.info("subscription cancelled subscription_id=%s credit_minor=%s", subscription_id, credit)
        return subscription
