"""Day, week and month passes: a price for unlimited rides within a scope (and zones) for a period.

Passes are data the engine exposes for ticketing; pricing an itinerary never
sells one. A calendar pass ends with its service day, its Monday-Sunday
service week or its calendar month; a rolling pass lasts 1 day, 7 days or one
month (same day and time of the next month, or that month's last day) from
the first ride.
"""
from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.money import Money
from fares.native.v2.caps import service_date
from fares.native.v2.scope import Scope

DAY, WEEK, MONTH = "day", "week", "month"


def _add_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Pass:
    id: str
    name: str
    period: str  # day | week | month
    calendar: bool
    amount: Money
    scope: Scope = Scope()
    zones: frozenset[str] | None = None  # None: any zone
    rider_categories: frozenset[str] | None = None
    timezone: str = "UTC"
    service_day_start_s: int = 0

    def covers(self, operator_id: str | None, route_id: str, mode: str, zones: Iterable[str] = ()) -> bool:
        """Whether a ride is included: in scope and, for a zonal pass, only through its zones."""
        if not self.scope.matches(operator_id, route_id, mode):
            return False
        if self.zones is None:
            return True
        touched = set(zones)
        return bool(touched) and touched <= self.zones

    def valid_until(self, start: datetime) -> datetime:
        """The first moment the pass, first used at ``start``, is no longer valid."""
        if not self.calendar:
            if self.period == DAY:
                return start + timedelta(days=1)
            if self.period == WEEK:
                return start + timedelta(days=7)
            return datetime.combine(_add_month(start.date()), start.timetz())
        day = service_date(start, self.timezone, self.service_day_start_s)
        if self.period == DAY:
            end_day = day + timedelta(days=1)
        elif self.period == WEEK:
            end_day = day + timedelta(days=7 - day.weekday())
        else:
            end_day = _add_month(day.replace(day=1))
        seconds = self.service_day_start_s
        at = time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
        tz = ZoneInfo(self.timezone) if start.tzinfo is not None else None
        return datetime.combine(end_day, at, tzinfo=tz)
