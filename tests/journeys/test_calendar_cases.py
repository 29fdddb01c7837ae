"""Service days, trips after midnight, frequencies and transfers.txt rules, as worked examples."""
from __future__ import annotations

from datetime import date, datetime

import networkx as nx
import pytest

from core.errors import NoJourneyFound, NotFound
from fares.gtfs.basics import ServiceCalendar
from journeys.calendar import service_days
from journeys.gtfs_timetable import build_from_texts
from journeys.planner import TimetablePlanner

ZONE = "Europe/Berlin"
WEEKDAYS = "1,1,1,1,1,0,0"
WEEKEND = "0,0,0,0,0,1,1"


def feed(trips: list[tuple[str, str, str, list[tuple[str, str]]]], calendar: list[str] | None = None,
         dates: list[str] = (), frequencies: list[str] = (), transfers: list[str] = ()) -> dict[str, str]:  # type: ignore[assignment]
    """A feed of stops s0..s4 far apart (no walks); ``trips``: id, route, service, [(stop, time)]."""
    stop_times = [f"{trip_id},{t},{t},{stop},{i + 1}" for trip_id, _, _, calls in trips
                  for i, (stop, t) in enumerate(calls)]
    texts = {
        "agency.txt": f"agency_id,agency_name,agency_url,agency_timezone\nA,Agency,http://a.example,{ZONE}\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n" + "".join(f"s{i},S{i},{50 + i / 10},8\n"
                                                                       for i in range(5)),
        "routes.txt": "route_id,agency_id,route_short_name,route_type\n"
                      + "".join(f"{r},A,{r},3\n" for r in sorted({t[1] for t in trips})),
        "trips.txt": "route_id,service_id,trip_id\n" + "".join(f"{r},{s},{t}\n" for t, r, s, _ in trips),
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "\n".join(stop_times),
        "calendar_dates.txt": "service_id,date,exception_type\n" + "\n".join(dates),
        "frequencies.txt": "trip_id,start_time,end_time,headway_secs,exact_times\n" + "\n".join(frequencies),
        "transfers.txt": "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n" + "\n".join(transfers),
    }
    if calendar is not None:
        texts["calendar.txt"] = ("service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,"
                                 "end_date\n" + "\n".join(calendar))
    return texts


def planner(texts: dict[str, str]) -> TimetablePlanner:
    return TimetablePlanner(*build_from_texts(texts, "example"))


WEEK_FEED = feed(
    [("mon-fri", "r", "wk", [("s0", "08:00:00"), ("s1", "08:10:00")]),
     ("sat-sun", "r", "we", [("s0", "09:00:00"), ("s1", "09:10:00")])],
    calendar=[f"wk,{WEEKDAYS},20260301,20260331", f"we,{WEEKEND},20260301,20260331"],
    dates=["wk,20260304,2", "we,20260304,1"],  # Wednesday 4 March: a holiday, weekend service
)


def test_a_weekday_query_takes_the_weekday_trip() -> None:
    journey = planner(WEEK_FEED).earliest_arrival("s0", "s1", datetime(2026, 3, 3, 7, 0))  # Tuesday
    assert journey.legs[0].trip_id == "mon-fri"
    assert journey.arrival.isoformat() == "2026-03-03T08:10:00+01:00"


def test_a_saturday_query_takes_the_weekend_trip() -> None:
    journey = planner(WEEK_FEED).earliest_arrival("s0", "s1", datetime(2026, 3, 7, 7, 0))
    assert journey.legs[0].trip_id == "sat-sun"


def test_a_calendar_dates_exception_day_runs_the_weekend_service() -> None:
    journey = planner(WEEK_FEED).earliest_arrival("s0", "s1", datetime(2026, 3, 4, 7, 0))
    assert journey.legs[0].trip_id == "sat-sun"
    assert journey.departure.isoformat() == "2026-03-04T09:00:00+01:00"


def test_a_feed_with_only_calendar_dates_runs_on_its_dates() -> None:
    texts = feed([("once", "r", "x", [("s0", "10:00:00"), ("s1", "10:30:00")])], dates=["x,20260305,1"])
    plan = planner(texts)
    assert plan.earliest_arrival("s0", "s1", datetime(2026, 3, 5, 9)).legs[0].trip_id == "once"
    with pytest.raises(NoJourneyFound):
        plan.earliest_arrival("s0", "s1", datetime(2026, 3, 6, 9))


def test_a_query_at_half_past_midnight_sees_the_previous_days_trip_at_24_40() -> None:
    texts = feed([("late", "r", "fri", [("s0", "24:40:00"), ("s1", "25:05:00")])],
                 calendar=["fri,0,0,0,0,1,0,0,20260301,20260331"])
    journey = planner(texts).earliest_arrival("s0", "s1", datetime(2026, 3, 7, 0, 30))  # Saturday 00:30
    assert journey.legs[0].trip_id == "late"
    assert journey.departure.isoformat() == "2026-03-07T00:40:00+01:00"
    assert journey.arrival.isoformat() == "2026-03-07T01:05:00+01:00"


@pytest.mark.parametrize("exact_times", ["0", "1"])
def test_frequencies_run_every_headway_from_the_start_time(exact_times: str) -> None:
    texts = feed([("every10", "r", "all", [("s0", "06:00:00"), ("s1", "06:07:00")])],
                 calendar=["all,1,1,1,1,1,1,1,20260301,20260331"],
                 frequencies=[f"every10,06:00:00,07:00:00,600,{exact_times}"])
    plan = planner(texts)
    journey = plan.earliest_arrival("s0", "s1", datetime(2026, 3, 3, 6, 25))
    assert journey.departure.isoformat() == "2026-03-03T06:30:00+01:00"
    assert journey.arrival.isoformat() == "2026-03-03T06:37:00+01:00"
    # the last run leaves at 06:50 (end_time is not a departure); then the first of the next day
    later = plan.earliest_arrival("s0", "s1", datetime(2026, 3, 3, 6, 51))
    assert later.departure.isoformat() == "2026-03-04T06:00:00+01:00"


def _change_feed(transfers: list[str]) -> dict[str, str]:
    return feed([("in", "a", "all", [("s0", "08:00:00"), ("s1", "08:10:00")]),
                 ("soon", "b", "all", [("s1", "08:11:00"), ("s2", "08:20:00")]),
                 ("later", "b", "all", [("s1", "08:15:00"), ("s2", "08:25:00")]),
                 ("last", "b", "all", [("s1", "08:30:00"), ("s2", "08:40:00")])],
                calendar=["all,1,1,1,1,1,1,1,20260301,20260331"], transfers=transfers)


@pytest.mark.parametrize(("transfers", "second_trip"), [
    ([], "later"),  # the default change time, MIN_CHANGE_S = 120 s
    (["s1,s1,0,"], "later"),
    (["s1,s1,1,"], "soon"),  # timed transfer: 0 s
    (["s1,s1,2,600"], "last"),  # min_transfer_time
])
def test_the_change_time_at_a_stop_follows_transfers_txt(transfers: list[str], second_trip: str) -> None:
    journey = planner(_change_feed(transfers)).earliest_arrival("s0", "s2", datetime(2026, 3, 3, 7, 50))
    assert [leg.trip_id for leg in journey.legs] == ["in", second_trip]


def test_a_forbidden_transfer_is_never_taken() -> None:
    with pytest.raises(NoJourneyFound):
        planner(_change_feed(["s1,s1,3,"])).earliest_arrival("s0", "s2", datetime(2026, 3, 3, 7, 50))


def test_an_unknown_stop_is_not_found() -> None:
    with pytest.raises(NotFound):
        planner(WEEK_FEED).earliest_arrival("s0", "nowhere", datetime(2026, 3, 3, 7))


def test_service_days_add_and_remove_dates_over_the_weekly_pattern() -> None:
    calendar = ServiceCalendar({"wk": ((True,) * 5 + (False,) * 2, date(2026, 3, 2), date(2026, 3, 8))},
                               {"wk": frozenset({date(2026, 3, 7)})}, {"wk": frozenset({date(2026, 3, 4)})})
    days = service_days([(0, calendar)])
    runs = [days.runs((0, "wk"), date(2026, 3, d)) for d in range(2, 9)]
    assert runs == [True, True, False, True, True, True, False]
    assert not days.runs((0, "wk"), date(2026, 3, 9))  # after the range


def test_footpaths_are_the_walking_graphs_shortest_walks_within_the_limit() -> None:
    texts = feed([("t", "r", "all", [("s0", "08:00:00"), ("s1", "08:10:00")])],
                 calendar=["all,1,1,1,1,1,1,1,20260301,20260331"])
    texts["stops.txt"] = "stop_id,stop_name,stop_lat,stop_lon\n" + "".join(
        f"s{i},S{i},{50 + i * 0.002},8\n" for i in range(5))  # 222 m apart: a chain of walks
    timetable, footpaths = build_from_texts(texts, "walks")
    for stop in timetable.stops:
        i = timetable.stop_index[stop.stop_id]
        lengths = nx.single_source_dijkstra_path_length(footpaths.graph, stop.stop_id, cutoff=900,
                                                        weight="seconds")
        to, seconds = footpaths.walks_from(i)
        closed = {timetable.stops[t].stop_id: int(s) for t, s in zip(to, seconds, strict=True)}
        assert closed == {k: v for k, v in lengths.items() if k != stop.stop_id}
        assert len(closed) >= 2
