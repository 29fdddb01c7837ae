"""Tap ingestion on SQLite and PostgreSQL: once per (device, event id), late window, refusals one by one."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.errors import ValidationFailed
from fares.services import activate_tariff, import_native_tariff
from payg.models import Tap
from payg.services import OpenAccount, ingest, open_account
from tests.payg.rides import at, ride, tap
from webapp.demo import TARIFF_FILE

DAY = date(2026, 11, 24)
NOW = at(DAY, "23:00")


@pytest.fixture
def rider(demo):  # type: ignore[no-untyped-def]
    open_account(demo.uow(), OpenAccount("card-1", "adult", "card", "tok_ok"), NOW)
    return demo


def stored(runtime) -> int:  # type: ignore[no-untyped-def]
    with runtime.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(Tap)) or 0)


def test_a_replayed_batch_and_a_duplicate_inside_a_batch_store_each_tap_once(rider):
    taps = ride("card-1", "RE1", "WES_BF", "ALT_HBF", DAY, "07:00", "07:30")
    first = ingest(rider.uow(), taps + [dict(taps[0])], rider.settings, NOW)
    assert (first.accepted, first.duplicates, first.rejected) == (2, 1, [])
    again = ingest(rider.uow(), taps, rider.settings, NOW + timedelta(minutes=5))
    assert (again.accepted, again.duplicates) == (0, 2)
    assert stored(rider) == 2


def test_the_same_event_id_from_another_device_is_another_tap(rider):
    one = tap("card-1", "in", "T1", "ALT_MARKT", at(DAY, "08:00"), device="dev-a", event_id="42")
    other = {**one, "device_id": "dev-b"}
    assert ingest(rider.uow(), [one, other], rider.settings, NOW).accepted == 2


def test_bad_taps_are_refused_with_their_reasons_and_the_rest_of_the_batch_is_kept(rider):
    good = ride("card-1", "RE1", "WES_BF", "ALT_HBF", DAY, "07:00", "07:30")
    batch = [
        good[0],
        {**good[1], "kind": "sideways"},
        tap("card-1", "in", "NOPE", "WES_BF", at(DAY, "09:00")),
        tap("card-1", "in", "T1", "WES_BF", at(DAY, "09:00")),  # T1 does not serve WES_BF
        tap("stranger", "in", "T1", "ALT_MARKT", at(DAY, "09:00")),
        tap("card-1", "in", "T1", "ALT_MARKT", at(DAY, "09:00")) | {"tapped_at": "2026-11-24T09:00:00"},
        "not an object",
        good[1],
    ]
    result = ingest(rider.uow(), batch, rider.settings, NOW)
    assert result.accepted == 2
    reasons = {r.index: [e["field"] for e in r.errors] for r in result.rejected}
    assert reasons == {1: ["kind"], 2: ["route_id"], 3: ["stop_id"], 4: ["account_id"], 5: ["tapped_at"], 6: [""]}
    assert stored(rider) == 2


def test_late_taps_are_accepted_within_the_window_and_refused_after_it(rider):
    window = timedelta(hours=rider.settings.payg_late_tap_hours)
    moment = at(DAY, "07:00")
    inside = tap("card-1", "in", "T1", "ALT_MARKT", moment)
    outside = tap("card-1", "in", "T1", "ALT_MARKT", moment)
    assert ingest(rider.uow(), [inside], rider.settings, moment + window).accepted == 1
    result = ingest(rider.uow(), [outside], rider.settings, moment + window + timedelta(seconds=1))
    assert result.accepted == 0 and "too late" in result.rejected[0].errors[0]["message"]
    future = tap("card-1", "in", "T1", "ALT_MARKT", NOW + timedelta(hours=1))
    assert ingest(rider.uow(), [future], rider.settings, NOW).rejected[0].errors[0]["message"] == "in the future"


def test_a_tap_is_filed_under_its_service_day_which_starts_at_half_past_four(rider):
    package = json.loads(TARIFF_FILE.read_text(encoding="utf-8")) | {"service_day_start": "04:30"}
    with rider.session_factory() as session:
        activate_tariff(session, import_native_tariff(session, json.dumps(package), "night.json").id)
        session.commit()
    night = tap("card-1", "in", "T1", "ALT_MARKT", datetime.fromisoformat("2026-11-25T03:00:00+01:00"))
    ingest(rider.uow(), [night], rider.settings, NOW + timedelta(hours=5))
    with rider.session_factory() as session:
        assert session.scalar(select(Tap.service_date)) == DAY


def test_an_oversized_batch_is_refused_whole(rider):
    with pytest.raises(ValidationFailed):
        ingest(rider.uow(), [{}] * 5001, rider.settings, NOW)
