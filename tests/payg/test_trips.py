"""Trip reconstruction: taps to legs, missing tap-outs, journeys by transfer window (pure)."""
from __future__ import annotations

from datetime import date, timedelta

from payg.trips import TapRecord, reconstruct
from tests.payg.rides import at

DAY = date(2026, 11, 24)
WINDOW = timedelta(minutes=60)


def t(kind: str, route: str, stop: str, hhmm: str, event: str = "") -> TapRecord:
    return TapRecord("dev", event or f"{kind}{route}{stop}{hhmm}", kind, route, stop, at(DAY, hhmm))


def test_a_tap_in_and_its_tap_out_make_one_leg_whatever_order_they_arrive_in():
    rebuilt = reconstruct([t("out", "RE1", "ALT_HBF", "07:30"), t("in", "RE1", "WES_BF", "07:00")], WINDOW)
    (journey,) = rebuilt.journeys
    (leg,) = journey.legs
    assert (leg.route_id, leg.from_stop_id, leg.to_stop_id) == ("RE1", "WES_BF", "ALT_HBF")
    assert not leg.missing_tap_out


def test_a_second_tap_in_leaves_the_first_leg_without_tap_out_and_it_ends_its_journey():
    rebuilt = reconstruct([t("in", "RE1", "WES_BF", "07:00"), t("in", "T1", "ALT_MARKT", "07:40"),
                           t("out", "T1", "ALT_OST", "07:55")], WINDOW)
    assert [len(j.legs) for j in rebuilt.journeys] == [1, 1]
    assert rebuilt.journeys[0].legs[0].missing_tap_out
    assert rebuilt.journeys[1].legs[0].to_stop_id == "ALT_OST"


def test_the_last_tap_in_of_the_day_without_tap_out_is_a_missing_tap_out():
    rebuilt = reconstruct([t("in", "RE1", "WES_BF", "22:00")], WINDOW)
    assert rebuilt.journeys[0].legs[0].missing_tap_out


def test_legs_within_the_transfer_window_form_one_journey_and_later_ones_a_new_one():
    rebuilt = reconstruct([
        t("in", "RE1", "WES_BF", "07:00"), t("out", "RE1", "ALT_HBF", "07:30"),
        t("in", "T2", "ALT_HBF", "08:30"), t("out", "T2", "ALT_UNI", "08:45"),  # 60 min after: joins
        t("in", "T2", "ALT_UNI", "09:46"), t("out", "T2", "ALT_HBF", "10:00"),  # 61 min after: new journey
    ], WINDOW)
    assert [len(j.legs) for j in rebuilt.journeys] == [2, 1]


def test_a_tap_out_at_the_tap_in_stop_is_a_cancelled_ride_and_an_orphan_tap_out_is_kept_aside():
    rebuilt = reconstruct([
        t("in", "T1", "ALT_MARKT", "07:00"), t("out", "T1", "ALT_MARKT", "07:02"),
        t("out", "RE1", "ALT_HBF", "09:00"),
    ], WINDOW)
    assert rebuilt.journeys == ()
    assert len(rebuilt.cancelled) == 1
    assert [tap.stop_id for tap in rebuilt.unmatched_tap_outs] == ["ALT_HBF"]


def test_a_tap_out_on_another_route_does_not_close_the_open_leg():
    rebuilt = reconstruct([t("in", "RE1", "WES_BF", "07:00"), t("out", "T1", "ALT_OST", "07:30")], WINDOW)
    assert rebuilt.journeys[0].legs[0].missing_tap_out
    assert len(rebuilt.unmatched_tap_outs) == 1
