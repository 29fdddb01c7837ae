"""Storing the network's timetable and finding the active one (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.errors import Conflict, ValidationFailed
from fares.gtfs import timetable_archive
from fares.network import Stop
from fares.stored_network import replace_network
from journeys.models import TimetableRow
from journeys.storage import (
    NETWORK,
    active_timetable,
    active_timetable_info,
    load_timetable_texts,
    store_timetable,
)

TEXTS = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\na,A,https://a.example,Europe/Berlin\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nS1,One,50.0,8.0\nS2,Two,50.01,8.01\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_type\nR,a,1,3\n",
    "trips.txt": "route_id,service_id,trip_id\nR,wd,T1\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                      "T1,08:00:00,08:00:00,S1,1\nT1,08:10:00,08:10:00,S2,2\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                    "wd,1,1,1,1,1,0,0,20260101,20271231\n",
}
STOPS = [Stop("S1", "One", 50.0, 8.0), Stop("S2", "Two", 50.01, 8.01)]


def store_network(session) -> int:
    return replace_network(session, STOPS, [], [])


def test_a_stored_timetable_is_the_active_one_with_its_texts(runtime):
    uow = runtime.uow()
    with uow:
        revision = store_network(uow.session)
        stored = store_timetable(uow.session, "small feed", TEXTS)
        uow.commit()
    with runtime.session_factory() as session:
        info = active_timetable_info(session)
        timetable = active_timetable(session)
    assert info == stored
    assert (info.origin, info.revision, info.source) == (NETWORK, revision, "small feed")
    assert info.content_hash == timetable_archive.timetable_hash(TEXTS)
    assert info.size_bytes == sum(len(t.encode()) for t in TEXTS.values())
    assert timetable is not None and dict(timetable.texts) == TEXTS
    assert (timetable.id, timetable.revision, timetable.source) == (info.id, revision, "small feed")
    assert timetable.cache_key == info.cache_key == (NETWORK, info.id, info.content_hash)


def test_replacing_the_network_leaves_no_active_timetable_rather_than_a_stale_one(runtime):
    uow = runtime.uow()
    with uow:
        store_network(uow.session)
        store_timetable(uow.session, "small feed", TEXTS)
        uow.commit()
    with uow:
        store_network(uow.session)
        uow.commit()
    with runtime.session_factory() as session:
        assert active_timetable_info(session) is None
        assert active_timetable(session) is None


def test_a_new_timetable_changes_the_cache_key_and_removes_the_old_one(runtime):
    uow = runtime.uow()
    with uow:
        store_network(uow.session)
        first = store_timetable(uow.session, "small feed", TEXTS)
        uow.commit()
    later = {**TEXTS, "trips.txt": TEXTS["trips.txt"].replace("wd,T1", "wd,T9"),
             "stop_times.txt": TEXTS["stop_times.txt"].replace("T1,", "T9,")}
    with uow:
        store_network(uow.session)
        second = store_timetable(uow.session, "small feed", later)
        uow.commit()
    with runtime.session_factory() as session:
        assert active_timetable_info(session) == second
        assert second.cache_key != first.cache_key and second.content_hash != first.content_hash
        assert session.scalar(select(func.count()).select_from(TimetableRow)) == 1
        assert load_timetable_texts(session, second)["trips.txt"].endswith("wd,T9\n")


def test_the_same_texts_give_the_same_hash_in_any_order():
    reordered = dict(reversed(list(TEXTS.items())))
    assert timetable_archive.timetable_hash(reordered) == timetable_archive.timetable_hash(TEXTS)
    assert timetable_archive.pack_timetable(reordered) == timetable_archive.pack_timetable(TEXTS)
    assert timetable_archive.unpack_timetable(timetable_archive.pack_timetable(TEXTS)) == TEXTS
    moved = {**TEXTS, "stops.txt": TEXTS["stops.txt"].replace("50.0,", "50.1,")}
    assert timetable_archive.timetable_hash(moved) != timetable_archive.timetable_hash(TEXTS)


def test_the_archive_is_smaller_than_the_texts():
    many = {**TEXTS, "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "".join(
        f"T{n},08:{n % 60:02d}:00,08:{n % 60:02d}:00,S{n % 2 + 1},{n}\n" for n in range(5000))}
    assert len(timetable_archive.pack_timetable(many)) * 5 < timetable_archive.timetable_size(many)


def test_a_timetable_needs_a_network_stored_first(runtime):
    uow = runtime.uow()
    with uow, pytest.raises(Conflict) as caught:
        store_timetable(uow.session, "small feed", TEXTS)
    assert caught.value.code == "no_network"


def test_files_that_are_no_timetable_are_refused_by_name(runtime):
    uow = runtime.uow()
    with uow:
        store_network(uow.session)
        with pytest.raises(ValidationFailed) as caught:
            store_timetable(uow.session, "odd", {**{k: v for k, v in TEXTS.items() if k != "stop_times.txt"},
                                                 "shapes.txt": "shape_id\n"})
    assert {(p["file"], p["message"]) for p in caught.value.details} == {
        ("shapes.txt", "not a timetable file"), ("stop_times.txt", "a timetable needs this file")}


def test_a_timetable_over_the_size_limit_is_refused(runtime, monkeypatch):
    monkeypatch.setattr(timetable_archive, "MAX_TIMETABLE_BYTES", 200)
    uow = runtime.uow()
    with uow:
        store_network(uow.session)
        with pytest.raises(ValidationFailed) as caught:
            store_timetable(uow.session, "small feed", TEXTS)
    assert "more than the 200" in caught.value.message
    assert caught.value.details[0]["file"] == "calendar.txt"  # the largest file is named


def test_storing_the_same_texts_for_a_new_revision_keeps_the_cache_key(runtime):
    uow = runtime.uow()
    with uow:
        store_network(uow.session)
        first = store_timetable(uow.session, "small feed", TEXTS)
        uow.commit()
    with uow:
        revision = store_network(uow.session)
        again = store_timetable(uow.session, "small feed, reloaded", TEXTS)
        uow.commit()
    with runtime.session_factory() as session:
        info = active_timetable_info(session)
    assert again.cache_key == first.cache_key == info.cache_key
    assert (info.revision, info.source) == (revision, "small feed, reloaded")


def test_the_storage_benchmark_runs_and_ends_with_its_figures(shared_gtfs, capsys):
    import json

    from bench.timetable_store import main

    main(shared_gtfs, checks=3, loads=1)
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["bench"] == "timetable_store"
    assert 0 < figures["archive_bytes"] < figures["text_bytes"]
