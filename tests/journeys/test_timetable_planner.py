"""The planner facade: range queries, labelled options with prices."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from journeys.mcraptor import SearchTooLarge
from journeys.planner import TimetablePlanner
from tests.journeys.test_calendar_cases import feed, planner
from tests.journeys.toy_fares import ToyFareSearch

DAILY = ["all,1,1,1,1,1,1,1,20260301,20260331"]


def test_the_range_query_offers_every_departure_within_the_window_and_none_before() -> None:
    texts = feed([("every10", "r", "all", [("s0", "06:00:00"), ("s1", "06:07:00")])], calendar=DAILY,
                 frequencies=["every10,06:00:00,08:00:00,600,1"])
    at = datetime(2026, 3, 3, 6, 5)
    options = planner(texts).departures("s0", "s1", at, timedelta(minutes=30))
    assert [o.departure.strftime("%H:%M") for o in options] == ["06:10", "06:20", "06:30"]
    assert all(o.legs[0].trip_id == "every10" for o in options)


def _two_ways() -> TimetablePlanner:
    return planner(feed([("exp", "x", "all", [("s0", "08:00:00"), ("s2", "08:20:00")]),
                         ("a1", "a", "all", [("s0", "08:00:00"), ("s1", "08:10:00")]),
                         ("b1", "b", "all", [("s1", "08:15:00"), ("s2", "08:40:00")])], calendar=DAILY))


def test_the_cheapest_option_is_found_by_the_search_and_labelled() -> None:
    fares = ToyFareSearch({"x": 400, "a": 200, "b": 200})
    options = _two_ways().plan("s0", "s2", datetime(2026, 3, 3, 7, 55), fares, timedelta(minutes=10))
    summary = [([leg.trip_id for leg in o.legs], o.price.total.minor, o.criteria) for o in options]
    assert summary == [(["exp"], 400, ("fastest", "fewest_transfers")), (["a1", "b1"], 250, ("cheapest",))]


def test_without_a_fare_search_plan_is_the_range_query() -> None:
    options = _two_ways().plan("s0", "s2", datetime(2026, 3, 3, 7, 55))
    assert [[leg.trip_id for leg in o.legs] for o in options] == [["exp"]]
    assert options[0].legs[0].headsign is None and options[0].price is None


def test_a_search_that_outgrows_its_label_budget_stops_with_a_domain_error() -> None:
    fares = ToyFareSearch({"x": 400, "a": 200, "b": 200})
    with pytest.raises(SearchTooLarge):
        _two_ways().plan("s0", "s2", datetime(2026, 3, 3, 7, 55), fares, timedelta(minutes=10), max_labels=1)
