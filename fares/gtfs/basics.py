"""The parts of a feed every fare engine needs: agencies, stops, routes, service days.

Validated with marshmallow row by row; every problem names file, line, field.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from fares.gtfs.reader import RawFeed
from fares.validation import Problems

T = TypeVar("T")


def _timezone(value: str | None) -> None:
    if value is None:
        return
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"not an IANA timezone: {value!r}") from None


class GtfsDate(fields.Field):
    """``YYYYMMDD`` -> ``date``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        try:
            return datetime.strptime(str(value), "%Y%m%d").date()
        except ValueError:
            raise ValidationError(f"not a date in YYYYMMDD form: {value!r}") from None


class Optional(fields.String):
    """An optional GTFS text value: empty means absent (None)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        return text or None


class _Row(Schema):
    class Meta:
        unknown = EXCLUDE


def _required_id() -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, error="must not be empty"))


class AgencySchema(_Row):
    agency_id = Optional(load_default=None)
    agency_name = fields.String(required=True)
    agency_timezone = fields.String(required=True, validate=_timezone)


class StopSchema(_Row):
    stop_id = _required_id()
    stop_name = Optional(load_default=None)
    stop_lat = Optional(load_default=None)
    stop_lon = Optional(load_default=None)
    zone_id = Optional(load_default=None)
    parent_station = Optional(load_default=None)
    location_type = Optional(load_default=None, validate=validate.OneOf([None, "0", "1", "2", "3", "4"]))
    stop_timezone = Optional(load_default=None, validate=_timezone)


class RouteSchema(_Row):
    route_id = _required_id()
    agency_id = Optional(load_default=None)
    route_short_name = Optional(load_default=None)
    route_long_name = Optional(load_default=None)
    route_type = fields.String(required=True, validate=validate.Regexp(r"^\d+$", error="not a route type"))
    network_id = Optional(load_default=None)


class CalendarSchema(_Row):
    service_id = _required_id()
    monday = fields.String(required=True, validate=validate.OneOf(["0", "1"]))
    tuesday = fields.String(required=True, validate=validate.OneOf(["0", "1"]))
    wednesday = fields.String(required=True, validate=validate.OneOf(["0", "1"]))
    thursday = fields.String(required=True, validate=validate.OneOf(["0", "1"]))
    friday = fields.String(required=True, validate=validate.OneOf(["0", "1"]))
    saturday = fields.String(required=True, validate=validate.OneOf(["0", "1"]))
    sunday = fields.String(required=True, validate=validate.OneOf(["0", "1"]))
    start_date = GtfsDate(required=True)
    end_date = GtfsDate(required=True)


class CalendarDateSchema(_Row):
    service_id = _required_id()
    date = GtfsDate(required=True)
    exception_type = fields.String(required=True, validate=validate.OneOf(["1", "2"]))


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class GtfsStop:
    id: str
    name: str
    lat: float | None
    lon: float | None
    zone_id: str | None
    parent_station: str | None
    location_type: int
    timezone: str | None


@dataclass(frozen=True, slots=True)
class GtfsRoute:
    id: str
    agency_id: str
    short_name: str
    long_name: str
    route_type: int
    network_id: str | None


@dataclass(frozen=True, slots=True)
class ServiceCalendar:
    """Which service_ids run on which dates (calendar.txt plus calendar_dates.txt)."""

    weekly: dict[str, tuple[tuple[bool, ...], date, date]] = field(default_factory=dict)
    added: dict[str, frozenset[date]] = field(default_factory=dict)
    removed: dict[str, frozenset[date]] = field(default_factory=dict)

    def runs(self, service_id: str, day: date) -> bool:
        if day in self.removed.get(service_id, frozenset()):
            return False
        if day in self.added.get(service_id, frozenset()):
            return True
        week = self.weekly.get(service_id)
        return bool(week and week[1] <= day <= week[2] and week[0][day.weekday()])

    def known(self, service_id: str) -> bool:
        return service_id in self.weekly or service_id in self.added or service_id in self.removed


@dataclass(frozen=True, slots=True)
class FeedBasics:
    agencies: dict[str, Agency]
    stops: dict[str, GtfsStop]
    routes: dict[str, GtfsRoute]
    timezone: str
    services: ServiceCalendar

    def station_of(self, stop_id: str) -> str:
        """The parent station of a platform, or the stop itself."""
        stop = self.stops.get(stop_id)
        return stop.parent_station if stop and stop.parent_station else stop_id

    def stop_timezone(self, stop_id: str) -> str:
        stop = self.stops.get(stop_id)
        if stop and stop.timezone:
            return stop.timezone
        parent = self.stops.get(stop.parent_station) if stop and stop.parent_station else None
        return parent.timezone if parent and parent.timezone else self.timezone


def _agency_slug(name: str) -> str:
    """An id for the one agency of a feed that gives none (the spec allows that)."""
    slug = "".join(ch for ch in name.upper() if ch.isalnum())[:32]
    return slug or "AGENCY"


def load_rows(raw: RawFeed, name: str, schema: Schema, problems: Problems,
              build: Callable[[dict[str, Any], int], T]) -> list[T]:
    """Validate every row of ``name`` with ``schema``; rows with problems are reported and skipped."""
    out: list[T] = []
    for row in raw.rows(name):
        try:
            data = schema.load(dict(row.values))
        except ValidationError as exc:
            for field_name, messages in exc.normalized_messages().items():
                for message in messages if isinstance(messages, list) else [messages]:
                    problems.add(name, row.line, str(field_name), str(message))
            continue
        out.append(build(data, row.line))
    return out


def load_basics(raw: RawFeed, problems: Problems) -> FeedBasics:
    for required in ("agency.txt", "stops.txt", "routes.txt"):
        if not raw.has(required):
            problems.add(required, None, None, "this file is required")
    agencies = load_rows(raw, "agency.txt", AgencySchema(), problems,
                         lambda d, _: Agency(d["agency_id"] or _agency_slug(d["agency_name"]), d["agency_name"],
                                             d["agency_timezone"]))
    by_id = {a.id: a for a in agencies}
    if len({a.timezone for a in agencies}) > 1:
        problems.add("agency.txt", None, "agency_timezone", "all agencies must share one timezone")
    if len(agencies) > 1 and any(not row.get("agency_id") for row in raw.rows("agency.txt")):
        problems.add("agency.txt", None, "agency_id", "agency_id is required when there are several agencies")
    timezone = agencies[0].timezone if agencies else "UTC"
    default_agency = agencies[0].id if len(agencies) == 1 else None

    stops: dict[str, GtfsStop] = {}
    stop_lines: dict[str, int] = {}

    def stop(d: dict[str, Any], line: int) -> None:
        try:
            lat = float(d["stop_lat"]) if d["stop_lat"] else None
            lon = float(d["stop_lon"]) if d["stop_lon"] else None
        except ValueError:
            problems.add("stops.txt", line, "stop_lat", "not a number")
            return
        if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
            problems.add("stops.txt", line, "stop_lat", "coordinates out of range")
        if d["stop_id"] in stops:
            problems.add("stops.txt", line, "stop_id", f"duplicate stop_id {d['stop_id']!r}")
        stops[d["stop_id"]] = GtfsStop(d["stop_id"], d["stop_name"] or d["stop_id"], lat, lon, d["zone_id"],
                                       d["parent_station"], int(d["location_type"] or 0), d["stop_timezone"])
        stop_lines[d["stop_id"]] = line

    load_rows(raw, "stops.txt", StopSchema(), problems, stop)
    for stop_id, gtfs_stop in stops.items():
        if gtfs_stop.parent_station and gtfs_stop.parent_station not in stops:
            problems.add("stops.txt", stop_lines[stop_id], "parent_station",
                         f"unknown parent_station {gtfs_stop.parent_station!r}")

    routes: dict[str, GtfsRoute] = {}

    def route(d: dict[str, Any], line: int) -> None:
        agency_id = d["agency_id"] or default_agency
        if agency_id is None or agency_id not in by_id:
            problems.add("routes.txt", line, "agency_id", f"unknown agency_id {d['agency_id']!r}")
            return
        if d["route_id"] in routes:
            problems.add("routes.txt", line, "route_id", f"duplicate route_id {d['route_id']!r}")
        routes[d["route_id"]] = GtfsRoute(d["route_id"], agency_id, d["route_short_name"] or "",
                                          d["route_long_name"] or "", int(d["route_type"]), d["network_id"])

    load_rows(raw, "routes.txt", RouteSchema(), problems, route)

    weekly: dict[str, tuple[tuple[bool, ...], date, date]] = {}
    load_rows(raw, "calendar.txt", CalendarSchema(), problems,
              lambda d, _: weekly.__setitem__(d["service_id"], (tuple(d[w] == "1" for w in WEEKDAYS),
                                                                 d["start_date"], d["end_date"])))
    added: dict[str, set[date]] = {}
    removed: dict[str, set[date]] = {}
    load_rows(raw, "calendar_dates.txt", CalendarDateSchema(), problems,
              lambda d, _: (added if d["exception_type"] == "1" else removed)
              .setdefault(d["service_id"], set()).add(d["date"]))
    services = ServiceCalendar(weekly, {k: frozenset(v) for k, v in added.items()},
                               {k: frozenset(v) for k, v in removed.items()})
    return FeedBasics(by_id, stops, routes, timezone, services)
