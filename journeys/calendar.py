"""Service days: on which dates each ``service_id`` runs, as one boolean row per service.

GTFS ``calendar.txt`` gives weekly patterns between two dates and
``calendar_dates.txt`` adds (``exception_type`` 1) or removes (2) single dates;
a feed may have only ``calendar_dates.txt``. The parsing and validation is
``fares.gtfs.basics.load_basics``'s; here the result becomes a compact array
over the feed's date range, so that a query asks "which trips run on day d"
with one vectorised lookup instead of a set test per trip.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np

from fares.gtfs.basics import ServiceCalendar


@dataclass(frozen=True, slots=True)
class ServiceDays:
    """``active[service, day]`` for days ``first .. first + days - 1``; outside that range nothing runs."""

    first: date
    service_keys: tuple[object, ...]
    active: np.ndarray  # bool [services x days]

    @property
    def days(self) -> int:
        return int(self.active.shape[1])

    def index_of(self, key: object) -> int:
        return self.service_keys.index(key)

    def on(self, day: date) -> np.ndarray:
        """Which services run on ``day`` (a bool per service)."""
        offset = (day - self.first).days
        if 0 <= offset < self.days:
            return self.active[:, offset]
        return np.zeros(len(self.service_keys), dtype=bool)

    def runs(self, key: object, day: date) -> bool:
        return bool(self.on(day)[self.index_of(key)])


def _dates_of(calendar: ServiceCalendar) -> Iterable[date]:
    for _, start, end in calendar.weekly.values():
        yield start
        yield end
    for dates in (*calendar.added.values(), *calendar.removed.values()):
        yield from dates


def service_days(calendars: Iterable[tuple[object, ServiceCalendar]]) -> ServiceDays:
    """One table for several feeds; a service's key is ``(feed key, service_id)``, since ids repeat across feeds."""
    calendars = list(calendars)
    dates = [d for _, calendar in calendars for d in _dates_of(calendar)]
    keys: list[object] = []
    for feed_key, calendar in calendars:
        ids = set(calendar.weekly) | set(calendar.added) | set(calendar.removed)
        keys.extend((feed_key, service_id) for service_id in sorted(ids))
    if not dates:
        return ServiceDays(date(1970, 1, 1), tuple(keys), np.zeros((len(keys), 0), dtype=bool))
    first, last = min(dates), max(dates)
    days = (last - first).days + 1
    active = np.zeros((len(keys), days), dtype=bool)
    weekday = (np.arange(days) + first.weekday()) % 7
    row = {key: i for i, key in enumerate(keys)}
    for feed_key, calendar in calendars:
        for service_id, (week, start, end) in calendar.weekly.items():
            days_on = np.array(week, dtype=bool)[weekday]
            lo, hi = (start - first).days, (end - first).days + 1
            active[row[(feed_key, service_id)], lo:hi] = days_on[lo:hi]
        for service_id, added in calendar.added.items():
            for day in added:
                active[row[(feed_key, service_id)], (day - first).days] = True
        for service_id, removed in calendar.removed.items():
            for day in removed:
                active[row[(feed_key, service_id)], (day - first).days] = False
    return ServiceDays(first, tuple(keys), active)
