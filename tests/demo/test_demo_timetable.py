"""The demo network's generated GTFS timetable: services by day, a holiday, runs after midnight, transfers."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from fares.gtfs.basics import load_basics
from fares.gtfs.network import build_network, parse_time
from fares.gtfs.reader import feed_from_texts
from fares.validation import Problems
from journeys.models import TimetableRow
from journeys.storage import NETWORK, active_timetable
from webapp.demo import DATA, demo_timetable, load_demo
from webapp.demo.timetable import calendar_range, next_weekday_holiday

TODAY = date(2026, 12, 2)  # a Wednesday; Christmas Day 2026 is a Friday


def rows(texts: dict[str, str], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(texts[name])))


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return demo_timetable(TODAY)


@pytest.fixture(scope="module")
def lines() -> list[dict]:
    return json.loads((DATA / "lines.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def trips_per_service(texts) -> dict[str, Counter]:
    counted: dict[str, Counter] = defaultdict(Counter)
    for trip in rows(texts, "trips.txt"):
        counted[trip["route_id"]][trip["service_id"]] += 1
    return counted


def test_the_same_day_gives_the_same_texts_byte_for_byte(texts):
    assert demo_timetable(TODAY) == texts
    assert demo_timetable(TODAY + timedelta(days=1))["calendar.txt"] != texts["calendar.txt"]


def test_the_calendar_runs_from_a_month_before_today_to_a_year_after(texts):
    assert calendar_range(TODAY) == (date(2026, 11, 1), date(2027, 12, 2))
    for service in rows(texts, "calendar.txt"):
        assert (service["start_date"], service["end_date"]) == ("20261101", "20271202")
    assert calendar_range(date(2028, 2, 29))[1] == date(2029, 2, 28)


def test_the_feed_reads_without_a_problem_as_gtfs(texts):
    problems = Problems()
    raw = feed_from_texts("demo", texts, problems)
    basics = load_basics(raw, problems)
    network = build_network(raw, basics, problems)
    assert not problems, problems.items
    assert len(network.routes) == 12 and len(network.stops) == 69
    assert len(basics.agencies) == 5
    assert all(stop.lat is not None and stop.lon is not None for stop in basics.stops.values())


def test_every_line_runs_fewer_trips_on_saturday_and_sunday_than_on_a_weekday(trips_per_service):
    for route_id, counted in trips_per_service.items():
        assert 0 < counted["saturday"] < counted["weekday"], route_id
        assert counted["sunday"] < counted["weekday"], route_id


def test_one_line_does_not_run_on_sundays(trips_per_service, lines):
    without_sunday = {route_id for route_id, counted in trips_per_service.items() if counted["sunday"] == 0}
    assert without_sunday == {line["id"] for line in lines if line["sunday"] is None} == {"BVB23"}


def test_the_next_weekday_holiday_runs_the_sunday_service_instead(texts):
    holiday = next_weekday_holiday(TODAY)
    assert holiday == date(2026, 12, 25)
    problems = Problems()
    services = load_basics(feed_from_texts("demo", texts, problems), problems).services
    assert not services.runs("weekday", holiday) and services.runs("sunday", holiday)
    assert services.runs("weekday", holiday - timedelta(days=1)) and not services.runs("sunday", holiday - timedelta(
        days=1))
    exceptions = {(r["service_id"], r["date"], r["exception_type"]) for r in rows(texts, "calendar_dates.txt")}
    assert {("weekday", "20261225", "2"), ("sunday", "20261225", "1")} <= exceptions


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)))
def test_there_is_always_a_weekday_holiday_within_the_calendar(today):
    holiday = next_weekday_holiday(today)
    start, end = calendar_range(today)
    assert today < holiday <= end and holiday.weekday() < 5


def test_late_runs_after_midnight_belong_to_the_weekday_and_saturday_service_days(texts):
    service_of = {trip["trip_id"]: trip["service_id"] for trip in rows(texts, "trips.txt")}
    late = {t["trip_id"] for t in rows(texts, "stop_times.txt") if parse_time(t["departure_time"]) >= 24 * 3600}
    assert len(late) >= 4
    assert {service_of[trip_id] for trip_id in late} == {"weekday", "saturday"}
    assert {trip_id.split("-")[0] for trip_id in late} == {"RE1", "T1"}
    starts_after_midnight = {t["trip_id"] for t in rows(texts, "stop_times.txt")
                             if t["stop_sequence"] == "1" and parse_time(t["departure_time"]) > 24 * 3600}
    assert starts_after_midnight  # a run leaving at 00:42 is still the previous day's


def test_trips_follow_their_line_both_ways_with_its_running_times(texts, lines):
    calls: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for stop_time in rows(texts, "stop_times.txt"):
        calls[stop_time["trip_id"]].append((stop_time["stop_id"], parse_time(stop_time["departure_time"])))
    by_line = {line["id"]: line for line in lines}
    directions: Counter = Counter()
    for trip in rows(texts, "trips.txt"):
        line = by_line[trip["route_id"]]
        expected = [(stop, minutes * 60) for stop, minutes in line["stops"]]
        if trip["direction_id"] == "1":
            total = expected[-1][1]
            expected = [(stop, total - offset) for stop, offset in reversed(expected)]
        start = calls[trip["trip_id"]][0][1]
        assert [(stop, t - start) for stop, t in calls[trip["trip_id"]]] == expected, trip["trip_id"]
        assert trip["trip_headsign"]
        directions[(trip["route_id"], trip["service_id"], trip["direction_id"])] += 1
    for (route_id, service, direction), count in directions.items():
        assert directions[(route_id, service, "1" if direction == "0" else "0")] == count


def test_weekday_trips_keep_the_lines_headway_between_first_and_last_departure(texts, lines):
    first_stop_departures: dict[tuple[str, str], list[int]] = defaultdict(list)
    route_of = {t["trip_id"]: (t["route_id"], t["service_id"], t["direction_id"]) for t in rows(texts, "trips.txt")}
    for stop_time in rows(texts, "stop_times.txt"):
        route_id, service, direction = route_of[stop_time["trip_id"]]
        if stop_time["stop_sequence"] == "1" and service == "weekday" and direction == "0":
            first_stop_departures[route_id].append(parse_time(stop_time["departure_time"]))
    for line in lines:
        hh, mm = line["first_departure"].split(":")
        first = int(hh) * 3600 + int(mm) * 60
        hh, mm = line["last_departure"].split(":")
        last = int(hh) * 3600 + int(mm) * 60
        regular = [d for d in sorted(first_stop_departures[line["id"]]) if d <= last]
        assert regular == list(range(first, last + 1, line["headway_minutes"] * 60)), line["id"]


def test_rail_and_ferry_stations_have_a_minimum_change_time_and_walks_are_transfers(texts, lines):
    transfers = {(t["from_stop_id"], t["to_stop_id"]): (t["transfer_type"], int(t["min_transfer_time"]))
                 for t in rows(texts, "transfers.txt")}
    stations = {stop for line in lines if line["mode"] in ("rail", "ferry") for stop, _ in line["stops"]}
    assert {"ALT_HBF", "AUB_ANLEGER", "UFH_ANLEGER", "BGS_BF"} <= stations
    for station in stations:
        kind, seconds = transfers[(station, station)]
        assert kind == "2" and seconds > 0
    walks = list(csv.DictReader((DATA / "walks.csv").open(encoding="utf-8")))
    for walk in walks:
        for pair in ((walk["from_stop_id"], walk["to_stop_id"]), (walk["to_stop_id"], walk["from_stop_id"])):
            assert transfers[pair] == ("2", int(walk["minutes"]) * 60)


def test_every_operator_is_an_agency_in_the_network_time_zone(texts):
    agencies = rows(texts, "agency.txt")
    operators = list(csv.DictReader((DATA / "operators.csv").open(encoding="utf-8")))
    assert [a["agency_id"] for a in agencies] == [o["id"] for o in operators]
    assert {a["agency_timezone"] for a in agencies} == {"Europe/Berlin"}
    route_agencies = {r["agency_id"] for r in rows(texts, "routes.txt")}
    assert route_agencies == {o["id"] for o in operators}


def test_loading_the_demo_stores_its_timetable_as_the_active_one_once(runtime):
    summary = load_demo(runtime.uow(), today=TODAY)
    with runtime.session_factory() as session:
        first = active_timetable(session)
    assert first is not None and first.info.origin == NETWORK
    assert dict(first.texts) == demo_timetable(TODAY)
    assert summary.trips == len(rows(demo_timetable(TODAY), "trips.txt"))
    load_demo(runtime.uow(), today=TODAY)
    with runtime.session_factory() as session:
        again = active_timetable(session)
        assert session.scalar(select(func.count()).select_from(TimetableRow)) == 1
    assert again.info.content_hash == first.info.content_hash and again.revision == first.revision + 1
