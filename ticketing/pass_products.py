"""The pass products of the active tariff, their prices per rider category and their validity.

Passes come from a native format-2 tariff (``passes``, docs/native-tariff-v2.md);
other formats sell none. Two things the format does not say are decided here
until it does:

* **Price per rider category**: a pass has one ``amount``; a rider category
  pays it after the category's discount, exactly as for a ticket (factor half
  up, ``amount_off``, ``fixed_amount``, limited to the category's
  ``products`` when it lists any). A pass's ``rider_categories`` says who may
  buy it at all.
* **Subscriptions**: a month pass whose id starts with ``subscription-`` is
  sold only as a renewing monthly subscription (``ticketing.subscriptions``),
  never as a single pass; no other pass can be subscribed to.

A pass bought for a start date is valid from that date's service-day start in
the tariff's timezone until ``Pass.valid_until`` of that moment (the end of the
service day, the week or the month for calendar passes; 1 day, 7 days or one
month later otherwise).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.errors import ValidationFailed
from core.money import Money
from fares.cache import pricing_context
from fares.native.v2 import NativeV2Engine, Pass, TariffV2, service_date
from fares.network import Network
from ticketing.pass_scope import PassScope

SUBSCRIPTION_PREFIX = "subscription-"
MONTH = "month"


@dataclass(frozen=True, slots=True)
class PassProduct:
    rule: Pass

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def subscription(self) -> bool:
        return self.rule.id.startswith(SUBSCRIPTION_PREFIX) and self.rule.period == MONTH

    def scope(self) -> PassScope:
        s = self.rule.scope
        return PassScope(s.operators, s.routes, s.modes, self.rule.zones)


@dataclass(frozen=True, slots=True)
class PassCatalog:
    tariff_version_id: int
    currency: str
    tariff: TariffV2 | None  # None: the active tariff is not format 2 and sells no passes
    network: Network

    @property
    def products(self) -> tuple[PassProduct, ...]:
        return tuple(PassProduct(rule) for rule in self.tariff.passes) if self.tariff else ()

    @property
    def timezone(self) -> str:
        return self.tariff.timezone if self.tariff else "UTC"

    def product(self, product_id: str) -> PassProduct:
        for product in self.products:
            if product.id == product_id:
                return product
        known = ", ".join(p.id for p in self.products) or "none"
        message = f"no pass product {product_id!r} in the active tariff (known: {known})"
        raise ValidationFailed(message, details=[{"field": "pass_product_id", "message": message}],
                               code="unknown_pass_product")

    def price(self, product: PassProduct, rider_category: str | None) -> tuple[str, Money]:
        """The rider category that applies and what it pays; refuses categories the pass is not for."""
        assert self.tariff is not None  # a product exists, so the tariff does
        category = self.tariff.category(rider_category)
        allowed = product.rule.rider_categories
        if allowed is not None and category.id not in allowed:
            raise ValidationFailed(f"pass {product.id} is for {', '.join(sorted(allowed))}, not {category.id}",
                                   details=[{"field": "rider_category", "message": "not allowed for this pass"}])
        return category.id, Money(category.apply(product.rule.amount.minor, product.id), self.currency)

    def service_day(self, moment: datetime) -> date:
        assert self.tariff is not None
        return service_date(moment, self.tariff.timezone, self.tariff.service_day_start_s)

    def day_start(self, day: date) -> datetime:
        """The moment a service day begins, in the tariff's timezone."""
        assert self.tariff is not None
        seconds = self.tariff.service_day_start_s
        return datetime.combine(day, time(seconds // 3600, seconds % 3600 // 60), tzinfo=ZoneInfo(self.timezone))

    def validity(self, product: PassProduct, start: date) -> tuple[datetime, datetime]:
        valid_from = self.day_start(start)
        return valid_from, product.rule.valid_until(valid_from)

    def start_day(self, start: date | None, now: datetime, max_days_ahead: int) -> date:
        """Today (for None) or ``start``, if it is one of the next ``max_days_ahead`` days in the tariff's validity."""
        assert self.tariff is not None
        today = self.service_day(now)
        start = today if start is None else start
        problem = None
        if start < today:
            problem = f"the start date {start} is in the past (today is {today})"
        elif (start - today).days > max_days_ahead:
            problem = f"a pass can be bought at most {max_days_ahead} days ahead"
        elif start < self.tariff.valid_from or (self.tariff.valid_to and start > self.tariff.valid_to):
            problem = f"the tariff is not valid on {start}"
        if problem:
            raise ValidationFailed(problem, details=[{"field": "start_date", "message": problem}])
        return start


def pass_catalog(session: Session) -> PassCatalog:
    """The active tariff's passes (cached with its fare engine) and the network they run on."""
    context = pricing_context(session)
    engine = context.engine
    tariff = engine.model if isinstance(engine, NativeV2Engine) else None
    return PassCatalog(context.tariff_version_id, engine.currency, tariff, context.network)
