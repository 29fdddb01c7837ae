"""Fare caps for pay-as-you-go: what a rider pays in a service day or a week never exceeds the cap.

A service day starts at ``service_day_start`` local time (a ride at 02:00
belongs to the day before when days start at 04:30). A week is Monday to
Sunday of service days. ``apply_caps`` is pure: it takes the charges, in any
order, and gives back each one with what is still due after every cap that
counts it.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.money import CurrencyMismatch, Money

DAY, WEEK = "day", "week"


def service_date(time: datetime, timezone: str, day_start_s: int) -> date:
    """The service day of ``time`` (aware: converted to ``timezone``; naive: already local)."""
    local = time.astimezone(ZoneInfo(timezone)) if time.tzinfo is not None else time
    return (local.replace(tzinfo=None) - timedelta(seconds=day_start_s)).date()


@dataclass(frozen=True, slots=True)
class Cap:
    id: str
    name: str
    period: str  # day | week
    amount: Money
    operators: frozenset[str] | None = None  # None: charges of every operator count
    rider_categories: frozenset[str] | None = None  # None: every category (filter with TariffV2.caps_for)
    timezone: str = "UTC"
    service_day_start_s: int = 0

    def counts(self, operator_id: str | None) -> bool:
        return self.operators is None or operator_id in self.operators

    def period_of(self, time: datetime) -> date:
        """The service day, or the Monday that starts the service week."""
        day = service_date(time, self.timezone, self.service_day_start_s)
        return day if self.period == DAY else day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class Charge:
    time: datetime
    amount: Money
    operator_id: str | None = None


@dataclass(frozen=True, slots=True)
class CappedCharge:
    time: datetime
    amount: Money  # before capping
    charged: Money  # after capping
    operator_id: str | None
    capped_by: tuple[str, ...] = ()  # ids of the caps that lowered this charge

    @property
    def waived(self) -> Money:
        return self.amount - self.charged


def apply_caps(
    charges: Iterable[Charge | tuple[datetime, Money, str | None]], caps: Sequence[Cap]
) -> tuple[CappedCharge, ...]:
    """Cap each charge by what every counting cap still allows in its period.

    Charges are taken in time order (ties: input order) and returned in input
    order. What a capped charge pays is the least of its amount and the room
    left under each cap that counts it; that paid amount then fills every one
    of those caps. So no period of any cap collects more than the cap, and no
    charge pays more than its amount.
    """
    items = [c if isinstance(c, Charge) else Charge(*c) for c in charges]
    for item in items:
        if item.amount.minor < 0:
            raise ValueError(f"a charge must not be negative: {item.amount}")
    spent: dict[tuple[int, date], int] = {}
    results: list[CappedCharge | None] = [None] * len(items)
    for position in sorted(range(len(items)), key=lambda i: (items[i].time, i)):
        item = items[position]
        rooms: list[tuple[str, tuple[int, date], int]] = []
        for index, cap in enumerate(caps):
            if not cap.counts(item.operator_id):
                continue
            if cap.amount.currency != item.amount.currency:
                raise CurrencyMismatch(f"cap {cap.id} is in {cap.amount.currency}, a charge in {item.amount.currency}")
            key = (index, cap.period_of(item.time))
            rooms.append((cap.id, key, max(0, cap.amount.minor - spent.get(key, 0))))
        due = min([item.amount.minor, *(room for _, _, room in rooms)])
        capped_by = tuple(cap_id for cap_id, _, room in rooms if room == due) if due < item.amount.minor else ()
        for _, key, _ in rooms:
            spent[key] = spent.get(key, 0) + due
        results[position] = CappedCharge(item.time, item.amount, Money(due, item.amount.currency),
                                         item.operator_id, capped_by)
    return tuple(r for r in results if r is not None)
