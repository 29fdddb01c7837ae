"""The demo network's timetable, generated as a GTFS feed from the line data.

``lines.json`` gives each line its stop sequence with running minutes, its
weekday headway between first and last departure, its Saturday and Sunday
service (``null``: no service that day) and optional ``late_departures``
after the weekday and Saturday services (times past ``24:00`` belong to the
service day before, as in GTFS). Trips run both ways on the same clock.

The calendar covers a month before ``today`` to a year after, so the demo
always plans on dates people try; Germany's public holidays in that
range run the Sunday service (``calendar_dates.txt``: the day's own service
removed, the Sunday one added). Everything is derived from the data and
``today``: the same inputs give the same texts, byte for byte.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import holidays

TIMEZONE = "Europe/Berlin"
WEEKDAY, SATURDAY, SUNDAY = "weekday", "saturday", "sunday"
#: The days each service runs, Monday first (calendar.txt).
SERVICE_DAYS = {WEEKDAY: (1, 1, 1, 1, 1, 0, 0), SATURDAY: (0, 0, 0, 0, 0, 1, 0), SUNDAY: (0, 0, 0, 0, 0, 0, 1)}
TRIP_PREFIX = {WEEKDAY: "WD", SATURDAY: "SA", SUNDAY: "SU"}  # trip ids: RE1-WD-0-0512 (line, service, direction, clock)
#: GTFS routes.route_type of the demo's modes.
ROUTE_TYPES = {"tram": 0, "rail": 2, "bus": 3, "ferry": 4}
#: Minimum change time within a station of these modes (transfers.txt, transfer_type 2): a
#: platform change at a railway station, walking off a ferry.
STATION_TRANSFER_S = {"rail": 180, "ferry": 120}
#: Whose public holidays the demo keeps: Germany's nationwide ones (the ``holidays`` package).
HOLIDAY_COUNTRY = "DE"


@dataclass(frozen=True, slots=True)
class Schedule:
    """Departures from the first stop of either direction: every ``headway_s`` from ``first_s`` to ``last_s``."""

    headway_s: int
    first_s: int
    last_s: int
    extra_s: tuple[int, ...] = ()

    def departures(self) -> list[int]:
        regular = range(self.first_s, self.last_s + 1, self.headway_s)
        return sorted(set(regular) | set(self.extra_s))


def clock_seconds(hhmm: str) -> int:
    """``HH:MM``, hours past 23 allowed (a late run belongs to the service day it leaves after)."""
    hours, minutes = hhmm.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def gtfs_time(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def calendar_range(today: date) -> tuple[date, date]:
    """A month before ``today`` to a year after (29 February falls back to the 28th)."""
    start = today - timedelta(days=31)
    try:
        end = today.replace(year=today.year + 1)
    except ValueError:
        end = today.replace(year=today.year + 1, day=28)
    return start, end


def holidays_between(start: date, end: date) -> list[date]:
    """Nationwide public holidays from ``start`` to ``end`` (Easter's movable feasts included)."""
    known = holidays.country_holidays(HOLIDAY_COUNTRY, years=range(start.year, end.year + 1))
    return sorted(day for day in known if start <= day <= end)


def next_working_day(today: date) -> date:
    """The first day after ``today`` that runs the weekday service (Monday to Friday, not a holiday).

    Examples and tests that plan "tomorrow at 08:00" on the demo plan on this
    day instead, so that they find the same journeys whatever today is.
    """
    day = today + timedelta(days=1)
    off = set(holidays_between(day, day + timedelta(days=14)))
    while day.weekday() >= 5 or day in off:
        day += timedelta(days=1)
    return day


def next_weekday_holiday(today: date) -> date:
    """The first holiday after ``today`` that falls on Monday to Friday (there is one within a year)."""
    start, end = calendar_range(today)
    return next(d for d in holidays_between(today + timedelta(days=1), end) if d.weekday() < 5)


def schedules(line: Mapping[str, Any]) -> dict[str, Schedule]:
    """The line's schedule per service; a service the line does not run is absent."""
    late = tuple(clock_seconds(t) for t in line.get("late_departures", ()))
    result = {WEEKDAY: Schedule(line["headway_minutes"] * 60, clock_seconds(line["first_departure"]),
                                clock_seconds(line["last_departure"]), late)}
    for service in (SATURDAY, SUNDAY):
        value = line[service]
        if value is not None:
            result[service] = Schedule(value["headway_minutes"] * 60, clock_seconds(value["first_departure"]),
                                       clock_seconds(value["last_departure"]), late if service == SATURDAY else ())
    return result


def _table(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def _agency_url(email: str) -> str:
    return "https://" + email.rsplit("@", 1)[-1] if "@" in email else "https://farebridge.example"


def demo_timetable_texts(lines: Sequence[Mapping[str, Any]], stops: Sequence[Mapping[str, str]],
                         operators: Sequence[Mapping[str, str]], walks: Sequence[Mapping[str, str]],
                         today: date) -> dict[str, str]:
    """The GTFS timetable files (agency, stops, routes, trips, stop_times, calendar, calendar_dates, transfers)."""
    start, end = calendar_range(today)
    agency = _table(("agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"),
                    ((o["id"], o["name"], _agency_url(o["email"]), TIMEZONE, "de") for o in operators))
    stops_txt = _table(("stop_id", "stop_name", "stop_lat", "stop_lon", "zone_id", "location_type"),
                       ((s["id"], s["name"], s["lat"], s["lon"], s["zone_id"], 0) for s in stops))
    routes = _table(("route_id", "agency_id", "route_short_name", "route_long_name", "route_type"),
                    ((line["id"], line["operator_id"], line["short_name"], line["long_name"],
                      ROUTE_TYPES[line["mode"]]) for line in lines))

    names = {s["id"]: s["name"] for s in stops}
    trip_rows: list[tuple[object, ...]] = []
    time_rows: list[tuple[object, ...]] = []
    for line in lines:
        calls = [(stop_id, minutes * 60) for stop_id, minutes in line["stops"]]
        total = calls[-1][1]
        directions = (calls, [(stop_id, total - offset) for stop_id, offset in reversed(calls)])
        for service, schedule in schedules(line).items():
            for direction_id, direction_calls in enumerate(directions):
                headsign = names[direction_calls[-1][0]]
                for departure in schedule.departures():
                    clock = gtfs_time(departure)[:5].replace(":", "")
                    trip_id = f"{line['id']}-{TRIP_PREFIX[service]}-{direction_id}-{clock}"
                    trip_rows.append((line["id"], service, trip_id, headsign, direction_id))
                    time_rows.extend((trip_id, gtfs_time(departure + offset), gtfs_time(departure + offset),
                                      stop_id, sequence) for sequence, (stop_id, offset)
                                     in enumerate(direction_calls, start=1))
    trips = _table(("route_id", "service_id", "trip_id", "trip_headsign", "direction_id"), trip_rows)
    stop_times = _table(("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"), time_rows)

    calendar = _table(("service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                       "sunday", "start_date", "end_date"),
                      ((service, *days, start.strftime("%Y%m%d"), end.strftime("%Y%m%d"))
                       for service, days in SERVICE_DAYS.items()))
    exceptions: list[tuple[object, ...]] = []
    for holiday in holidays_between(start, end):
        if holiday.weekday() == 6:
            continue  # already a Sunday
        own = WEEKDAY if holiday.weekday() < 5 else SATURDAY
        exceptions.append((own, holiday.strftime("%Y%m%d"), 2))
        exceptions.append((SUNDAY, holiday.strftime("%Y%m%d"), 1))
    calendar_dates = _table(("service_id", "date", "exception_type"), exceptions)

    modes_at: dict[str, set[str]] = {}
    for line in lines:
        for stop_id, _ in line["stops"]:
            modes_at.setdefault(stop_id, set()).add(line["mode"])
    transfer_rows: list[tuple[object, ...]] = [
        (stop_id, stop_id, 2, max(STATION_TRANSFER_S[m] for m in modes if m in STATION_TRANSFER_S))
        for stop_id, modes in sorted(modes_at.items()) if modes & STATION_TRANSFER_S.keys()]
    for walk in walks:
        seconds = int(walk["minutes"]) * 60
        transfer_rows.append((walk["from_stop_id"], walk["to_stop_id"], 2, seconds))
        transfer_rows.append((walk["to_stop_id"], walk["from_stop_id"], 2, seconds))
    transfers = _table(("from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"), transfer_rows)

    return {"agency.txt": agency, "stops.txt": stops_txt, "routes.txt": routes, "trips.txt": trips,
            "stop_times.txt": stop_times, "calendar.txt": calendar, "calendar_dates.txt": calendar_dates,
            "transfers.txt": transfers}
