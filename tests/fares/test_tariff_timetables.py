"""A full GTFS feed keeps its timetable with its tariff version; activation installs it (SQLite and PostgreSQL)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from core.errors import ValidationFailed
from fares.gtfs import timetable_archive
from fares.models import NetworkState, StopRow, TariffTimetable, TariffVersion
from fares.services import activate_tariff, import_tariff_file
from journeys.storage import NETWORK, TARIFF_VERSION, active_timetable, active_timetable_info, store_timetable
from tests.journeys.test_storage import TEXTS, store_network
from tests.webapp.tariff_files import small_gtfs_zip
from webapp.cli import main


def feed_files() -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(small_gtfs_zip())) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def write_zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


@pytest.fixture
def full_feed(tmp_path: Path) -> Path:
    return write_zip(tmp_path / "small.zip", feed_files())


@pytest.fixture
def fare_only_feed(tmp_path: Path) -> Path:
    files = {n: t for n, t in feed_files().items() if n not in ("trips.txt", "stop_times.txt")}
    return write_zip(tmp_path / "fares-only.zip", files)


def timetable_part(files: dict[str, str]) -> dict[str, str]:
    return {n: t for n, t in files.items() if n in timetable_archive.TIMETABLE_FILES}


def test_a_full_feed_keeps_its_timetable_with_the_version_until_activated(runtime, full_feed):
    uow = runtime.uow()
    with uow:
        store_network(uow.session)
        before = store_timetable(uow.session, "earlier", TEXTS)
        version = import_tariff_file(uow.session, full_feed, "Small")
        uow.commit()
        version_id = version.id
    with runtime.session_factory() as session:
        kept = session.get(TariffTimetable, version_id)
        assert (kept.source, kept.size_bytes) == ("small.zip", timetable_archive.timetable_size(
            timetable_part(feed_files())))
        assert active_timetable_info(session) == before  # not installed before activation

    with uow:
        activate_tariff(uow.session, version_id)
        uow.commit()
    with runtime.session_factory() as session:
        timetable = active_timetable(session)
        state = session.get(NetworkState, 1)
        assert timetable is not None
        assert (timetable.info.origin, timetable.id, timetable.revision) == (TARIFF_VERSION, version_id,
                                                                             state.revision)
        assert dict(timetable.texts) == timetable_part(feed_files())
        assert "fare_products.txt" not in timetable.texts
        assert state.tariff_version_id == version_id


def test_activating_the_version_again_later_installs_its_timetable_again(runtime, full_feed):
    uow = runtime.uow()
    with uow:
        version = import_tariff_file(uow.session, full_feed, "Small")
        activate_tariff(uow.session, version.id)
        uow.commit()
        version_id = version.id
    with uow:  # another network (as the demo loads one): its own timetable
        store_network(uow.session)
        store_timetable(uow.session, "other", TEXTS)
        other = import_tariff_file(uow.session, full_feed, "Small again")
        activate_tariff(uow.session, other.id)
        activate_tariff(uow.session, version_id)
        uow.commit()
    with runtime.session_factory() as session:
        info = active_timetable_info(session)
        assert (info.origin, info.id) == (TARIFF_VERSION, version_id)


def test_a_feed_folder_keeps_its_timetable_too(runtime, tmp_path):
    folder = tmp_path / "folder-feed"
    folder.mkdir()
    for name, text in feed_files().items():
        (folder / name).write_text(text, encoding="utf-8")
    uow = runtime.uow()
    with uow:
        version = import_tariff_file(uow.session, folder, "Folder")
        activate_tariff(uow.session, version.id)
        uow.commit()
    with runtime.session_factory() as session:
        timetable = active_timetable(session)
    assert (timetable.id, timetable.source) == (version.id, "folder-feed")
    assert dict(timetable.texts) == timetable_part(feed_files())


def test_a_fare_only_feed_leaves_network_and_timetable_untouched(runtime, fare_only_feed):
    uow = runtime.uow()
    with uow:
        revision = store_network(uow.session)
        before = store_timetable(uow.session, "earlier", TEXTS)
        version = import_tariff_file(uow.session, fare_only_feed, "Fares only")
        activate_tariff(uow.session, version.id)
        uow.commit()
        version_id = version.id
    with runtime.session_factory() as session:
        assert session.get(TariffVersion, version_id).status == "active"
        assert "network" not in session.get(TariffVersion, version_id).content
        assert session.get(TariffTimetable, version_id) is None
        assert session.get(NetworkState, 1).revision == revision
        assert set(session.scalars(select(StopRow.id))) == {"S1", "S2"}
        assert active_timetable_info(session) == before
        assert active_timetable_info(session).origin == NETWORK


def test_a_feed_with_stop_times_but_no_trips_is_refused_naming_the_file(runtime, tmp_path):
    files = {n: t for n, t in feed_files().items() if n != "trips.txt"}
    uow = runtime.uow()
    with uow, pytest.raises(ValidationFailed) as caught:
        import_tariff_file(uow.session, write_zip(tmp_path / "no-trips.zip", files))
    assert any(p["file"] == "trips.txt" for p in caught.value.details)


def test_a_timetable_over_the_size_limit_is_refused_before_anything_is_stored(runtime, full_feed, monkeypatch):
    monkeypatch.setattr(timetable_archive, "MAX_TIMETABLE_BYTES", 300)
    uow = runtime.uow()
    with uow, pytest.raises(ValidationFailed) as caught:
        import_tariff_file(uow.session, full_feed)
    assert "more than the 300" in caught.value.message
    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(TariffVersion)) == 0


def test_tariff_import_with_activate_installs_the_timetable_in_one_command(db_url, tmp_path, full_feed):
    env = {"FAREBRIDGE_INSTANCE_DIR": str(tmp_path / "instance"), "FAREBRIDGE_DATABASE_URL": db_url,
           "FAREBRIDGE_BROKER_URL": ""}
    runner = CliRunner()
    result = runner.invoke(main, ["tariff", "import", str(full_feed), "--activate"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    version_id = int(result.output.strip())
    engine = create_engine(db_url)
    with Session(engine) as session:
        info = active_timetable_info(session)
        assert (info.origin, info.id, info.source) == (TARIFF_VERSION, version_id, "small.zip")
    engine.dispose()


def test_tariff_import_without_activate_then_activate_installs_it(db_url, tmp_path, full_feed):
    env = {"FAREBRIDGE_INSTANCE_DIR": str(tmp_path / "instance"), "FAREBRIDGE_DATABASE_URL": db_url,
           "FAREBRIDGE_BROKER_URL": ""}
    runner = CliRunner()
    imported = runner.invoke(main, ["tariff", "import", str(full_feed)], env=env, catch_exceptions=False)
    version_id = int(imported.output.strip())
    engine = create_engine(db_url)
    with Session(engine) as session:
        assert active_timetable_info(session) is None
    activated = runner.invoke(main, ["tariff", "activate", str(version_id)], env=env, catch_exceptions=False)
    assert activated.exit_code == 0, activated.output
    with Session(engine) as session:
        assert active_timetable_info(session).id == version_id
    engine.dispose()


def test_a_real_full_feed_keeps_its_timetable_packed(runtime, shared_gtfs):
    uow = runtime.uow()
    with uow:
        version = import_tariff_file(uow.session, shared_gtfs / "poa_eptc.zip", "EPTC")
        activate_tariff(uow.session, version.id)
        uow.commit()
    with runtime.session_factory() as session:
        timetable = active_timetable(session)
        kept = session.get(TariffTimetable, version.id)
        assert timetable is not None and {"trips.txt", "stop_times.txt"} <= set(timetable.texts)
        assert "shapes.txt" not in timetable.texts
        assert len(kept.archive) * 4 < kept.size_bytes == timetable_archive.timetable_size(timetable.texts)


def test_an_uploaded_full_feed_replaces_the_demo_timetable_when_activated_over_the_api(client, demo):
    with demo.session_factory() as session:
        assert active_timetable_info(session).origin == NETWORK  # the demo's
    created = client.post("/api/v1/tariffs", data={"file": (io.BytesIO(small_gtfs_zip()), "city-bus.zip")},
                          headers={"Authorization": "Bearer demo-admin"}, content_type="multipart/form-data")
    assert created.status_code == 201, created.json
    activated = client.post(f"/api/v1/tariffs/{created.json['id']}/activate",
                            headers={"Authorization": "Bearer demo-admin"})
    assert activated.status_code == 200, activated.json
    with demo.session_factory() as session:
        timetable = active_timetable(session)
    assert (timetable.info.origin, timetable.id, timetable.source) == (TARIFF_VERSION, created.json["id"],
                                                                       "city-bus.zip")
    assert dict(timetable.texts) == timetable_part(feed_files())
