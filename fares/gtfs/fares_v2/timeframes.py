"""timeframes.txt: loading, the no-overlap rule, and matching a fare event against a timeframe group.

Timeframe local time semantics (GTFS reference, timeframes.txt): the event
time is taken in the timezone of the event's stop (``stop_timezone`` of the
stop or its parent station, else the agency timezone); the "current day" is
that local date, which may differ from the trip's service day after midnight;
the time-of-day is the local wall-clock time. ``start_time`` is included,
``end_time`` is not; empty means ``00:00:00`` and ``24:00:00``.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fares.gtfs.basics import FeedBasics, load_rows
from fares.gtfs.fares_v2.field_types import DAY
from fares.gtfs.fares_v2.model import Timeframe
from fares.gtfs.fares_v2.schemas import TimeframeSchema
from fares.gtfs.reader import RawFeed
from fares.validation import Problems


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def load_timeframes(raw: RawFeed, basics: FeedBasics, problems: Problems) -> dict[str, tuple[Timeframe, ...]]:
    file = "timeframes.txt"
    groups: dict[str, list[Timeframe]] = defaultdict(list)

    def build(d: dict[str, Any], line: int) -> None:
        if not basics.services.known(d["service_id"]):
            problems.add(file, line, "service_id", f"unknown service_id {d['service_id']!r}")
            return
        start = d["start_time"] if d["start_time"] is not None else 0
        end = d["end_time"] if d["end_time"] is not None else DAY
        groups[d["timeframe_group_id"]].append(Timeframe(d["timeframe_group_id"], start, end, d["service_id"], line))

    load_rows(raw, file, TimeframeSchema(), problems, build)
    by_service: dict[tuple[str, str], list[Timeframe]] = defaultdict(list)
    for timeframes in groups.values():
        for timeframe in timeframes:
            by_service[timeframe.group_id, timeframe.service_id].append(timeframe)
    for (group_id, service_id), timeframes in by_service.items():
        ordered = sorted(timeframes, key=lambda t: (t.start, t.line))
        for before, after in zip(ordered, ordered[1:], strict=False):
            if after.start < before.end:
                problems.add(file, after.line, "start_time",
                             f"{_clock(after.start)}-{_clock(after.end)} overlaps {_clock(before.start)}-"
                             f"{_clock(before.end)} (line {before.line}) of timeframe group {group_id!r} "
                             f"for service {service_id!r}")
    return {group_id: tuple(timeframes) for group_id, timeframes in groups.items()}


class TimeframeMatcher:
    """fare_leg_rules.from_timeframe_group_id / to_timeframe_group_id against one fare event."""

    def __init__(self, timeframes: dict[str, tuple[Timeframe, ...]], basics: FeedBasics) -> None:
        self._groups = timeframes
        self._basics = basics
        self._zones: dict[str, ZoneInfo] = {}
        self._runs: dict[tuple[str, date], bool] = {}

    def local(self, when: datetime, stop_id: str) -> tuple[date, int]:
        """The "current day" and time-of-day of an event at ``stop_id``; a naive time is taken as local."""
        if when.tzinfo is not None:
            name = self._basics.stop_timezone(stop_id)
            zone = self._zones.get(name)
            if zone is None:
                zone = self._zones[name] = ZoneInfo(name)
            when = when.astimezone(zone)
        return when.date(), when.hour * 3600 + when.minute * 60 + when.second

    def matches(self, group_id: str, day: date, seconds: int) -> bool:
        """True when some timeframe of the group holds ``seconds`` (start inclusive, end exclusive) on ``day``."""
        for timeframe in self._groups.get(group_id, ()):
            if timeframe.start <= seconds < timeframe.end and self._service_runs(timeframe.service_id, day):
                return True
        return False

    def _service_runs(self, service_id: str, day: date) -> bool:
        key = (service_id, day)
        runs = self._runs.get(key)
        if runs is None:
            if len(self._runs) > 100_000:
                self._runs.clear()
            runs = self._runs[key] = self._basics.services.runs(service_id, day)
        return runs
