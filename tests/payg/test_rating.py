"""Rating a day: best fares, day and week caps per rider category and across operators, day passes (pure)."""
from __future__ import annotations

import random
from datetime import date, timedelta
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from payg.charging import rate_account
from payg.max_fare import MaxFareRule
from payg.models import TAP_IN, TAP_OUT
from payg.rating import week_start
from tests.payg.demo_tariff import demo_view
from tests.payg.rides import at

MONDAY = date(2026, 11, 23)
WINDOW = timedelta(minutes=60)
VIEW = demo_view()
# (route, from, to, fare in cents, operator)
RIDES = [
    ("RE1", "WES_BF", "ALT_HBF", 480, "RBA"),
    ("RE1", "ALT_HBF", "WES_BF", 480, "RBA"),
    ("T1", "ALT_WALDSIEDLUNG", "ALT_GARTENSTADT", 290, "TAL"),
    ("BVB21", "BGS_BF", "BGS_MARKT", 290, "BVB"),
    ("SWA11", "ALT_HBF", "ALT_WEST", 290, "SWA"),
    ("RB2", "ALT_HBF", "STE_BF", None, "RBA"),
]


def taps_of(rides, account="acc"):  # type: ignore[no-untyped-def]
    """rides: (day, hh:mm, ride index, has tap-out)"""
    out = []
    for number, (day, hhmm, index, tapped_out) in enumerate(rides):
        route, origin, destination, _, _ = RIDES[index]
        start = at(day, hhmm)
        out.append(SimpleNamespace(device_id="d", event_id=f"{number}i", kind=TAP_IN, route_id=route, stop_id=origin,
                                   tapped_at=start, service_date=day))
        if tapped_out:
            out.append(SimpleNamespace(device_id="d", event_id=f"{number}o", kind=TAP_OUT, route_id=route,
                                       stop_id=destination, tapped_at=start + timedelta(minutes=20),
                                       service_date=day))
    return out


def rate(taps, day, category="adult", view=VIEW):  # type: ignore[no-untyped-def]
    account = SimpleNamespace(id="acc", rider_category=category)
    return rate_account(account, [t for t in taps if t.service_date <= day], day, view,
                        MaxFareRule(view.engine, view.network), WINDOW)


def test_a_day_below_the_cap_pays_the_sum_of_its_best_fares():
    rating = rate(taps_of([(MONDAY, "07:00", 0, True), (MONDAY, "17:00", 2, True)]), MONDAY)
    assert (rating.uncapped_minor, rating.charged_minor, rating.caps_applied) == (770, 770, ())


def test_the_day_cap_stops_the_adult_at_nine_euros_across_operators():
    rides = [(MONDAY, "07:00", 0, True), (MONDAY, "09:00", 2, True), (MONDAY, "12:00", 3, True),
             (MONDAY, "17:00", 1, True)]
    rating = rate(taps_of(rides), MONDAY)
    assert rating.uncapped_minor == 480 + 290 + 290 + 480
    assert rating.charged_minor == 900
    assert rating.caps_applied == ("day-cap",)
    assert sum(rating.charged_per_journey) == 900
    assert dict(rating.operators_uncapped) == {"RBA": 960, "TAL": 290, "BVB": 290}


def test_a_child_pays_half_fares_and_has_the_reduced_day_cap():
    rides = [(MONDAY, "07:00", 0, True), (MONDAY, "12:00", 1, True), (MONDAY, "17:00", 0, True)]
    rating = rate(taps_of(rides), MONDAY, "child")
    assert rating.uncapped_minor == 3 * 240
    assert rating.charged_minor == 500


def test_the_week_cap_counts_the_earlier_days_of_the_same_monday_to_sunday_week():
    rides = [(MONDAY + timedelta(days=d), hhmm, 0, True) for d in range(7) for hhmm in ("07:00", "12:00", "17:00")]
    taps = taps_of(rides)
    charged = [rate(taps, MONDAY + timedelta(days=d)).charged_minor for d in range(7)]
    assert charged == [900, 900, 900, 900, 0, 0, 0]
    assert sum(charged) == 3600
    next_monday = MONDAY + timedelta(days=7)
    assert rate(taps_of([(next_monday, "07:00", 0, True)]), next_monday).charged_minor == 480


def test_a_missing_tap_out_pays_the_dearest_ride_from_the_tap_in_stop():
    rating = rate(taps_of([(MONDAY, "07:00", 0, False)]), MONDAY)
    (journey,) = rating.journeys
    assert journey.max_fare_legs == (0,)
    assert journey.legs[0].to_stop_id == "BGS_BF"  # 5 zones from Westheim on RE1, the most
    assert rating.uncapped_minor == 710


def test_a_ride_after_midnight_before_half_past_four_belongs_to_the_service_day_before():
    late = [SimpleNamespace(**{**vars(t), "service_date": MONDAY}) for t in taps_of([(MONDAY, "07:00", 0, True)])]
    night = taps_of([(MONDAY + timedelta(days=1), "02:00", 1, True)])
    for tap in night:
        tap.service_date = MONDAY  # as ingestion files it: 02:00 is before the 04:30 day start
    rating = rate(late + night, MONDAY, view=demo_view(service_day_start="04:30"))
    assert (rating.uncapped_minor, rating.charged_minor) == (960, 900)


def test_a_cheaper_day_pass_replaces_the_rides_it_covers():
    view = demo_view(passes=[{"id": "tal-day", "name": "TAL day", "period": "day", "calendar": True,
                              "amount": "4.00", "scope": {"operators": ["TAL"]}}])
    rides = [(MONDAY, "07:00", 2, True), (MONDAY, "10:00", 2, True), (MONDAY, "14:00", 3, True)]
    rating = rate(taps_of(rides), MONDAY, view=view)
    assert rating.day_pass is not None and rating.day_pass.id == "tal-day"
    assert rating.charged_minor == 400 + 290
    assert rating.charged_per_journey == (200, 200, 290)


def test_an_operator_cap_only_caps_that_operators_rides():
    view = demo_view(caps=[{"id": "bvb-day", "name": "BVB", "period": "day", "amount": "5.00", "operators": ["BVB"]}])
    rides = [(MONDAY, "07:00", 3, True), (MONDAY, "09:00", 3, True), (MONDAY, "11:00", 3, True),
             (MONDAY, "13:00", 0, True)]
    rating = rate(taps_of(rides), MONDAY, view=view)
    assert rating.charged_minor == 500 + 480


ride_lists = st.lists(
    st.tuples(st.integers(0, 6), st.integers(5 * 60, 23 * 60), st.integers(0, len(RIDES) - 1), st.booleans()),
    max_size=12,
)


def _rides(raw):  # type: ignore[no-untyped-def]
    return [(MONDAY + timedelta(days=d), f"{m // 60:02d}:{m % 60:02d}", i, out) for d, m, i, out in raw]


@settings(max_examples=40, deadline=None)
@given(ride_lists, st.sampled_from(["adult", "child", "senior"]))
def test_never_more_than_the_caps_nor_the_sum_of_the_single_fares(raw, category):
    taps = taps_of(_rides(raw))
    caps = VIEW.model.caps_for(category)
    day_cap = min(c.amount.minor for c in caps if c.period == "day")
    week_cap = min(c.amount.minor for c in caps if c.period == "week")
    week_total = 0
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        rating = rate(taps, day, category)
        assert rating.charged_minor <= day_cap
        assert rating.charged_minor <= rating.uncapped_minor
        assert rating.charged_minor == sum(rating.charged_per_journey)
        week_total += rating.charged_minor
    assert week_total <= week_cap
    assert week_start(MONDAY) == MONDAY


@settings(max_examples=30, deadline=None)
@given(ride_lists, st.randoms(use_true_random=False))
def test_replaying_the_days_taps_in_any_order_gives_the_same_charge(raw, rng: random.Random):
    taps = taps_of(_rides(raw))
    shuffled = taps[:]
    rng.shuffle(shuffled)
    replayed = shuffled + shuffled[: len(shuffled) // 2]  # and some duplicates, as ingestion would drop them
    unique = list({(t.device_id, t.event_id): t for t in replayed}.values())
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        assert rate(unique, day).charged_minor == rate(taps, day).charged_minor


@settings(max_examples=20, deadline=None)
@given(ride_lists)
def test_remembering_single_rides_of_a_tariff_without_time_bands_changes_no_amount(raw):
    taps = taps_of(_rides(raw))
    assert not VIEW.fares_vary_by_time
    memo: dict = {}
    max_fare = MaxFareRule(VIEW.engine, VIEW.network, time_matters=False)
    account = SimpleNamespace(id="acc", rider_category="adult")
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        remembered = rate_account(account, [t for t in taps if t.service_date <= day], day, VIEW, max_fare, WINDOW,
                                  memo)
        fresh = rate(taps, day)
        assert (remembered.charged_minor, remembered.uncapped_minor, remembered.charged_per_journey) == \
            (fresh.charged_minor, fresh.uncapped_minor, fresh.charged_per_journey)
