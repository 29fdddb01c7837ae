"""Tariff uploads and imports stay within the configured limits: a zip bomb is a quick 413 naming the limit.

The API, the admin page and ``farebridge tariff import`` share one reader, so
each path is checked once with a generated bomb (a few KB unpacking to MBs).
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from click.testing import CliRunner

from fares.models import TariffVersion
from tests.conftest import ADMIN
from tests.core.test_archive import bomb
from tests.webapp.page_session import ADMIN_EMAIL, log_in, page_csrf_token
from tests.webapp.tariff_files import small_gtfs_zip
from webapp.cli import main


def post_tariff(client, body: bytes, filename: str):
    return client.post("/api/v1/tariffs", data={"file": (io.BytesIO(body), filename)}, headers=ADMIN,
                       content_type="multipart/form-data")


def stored_versions(runtime) -> int:
    with runtime.session_factory() as session:
        return session.query(TariffVersion).count()


def test_a_zip_bomb_upload_is_413_naming_the_limit_and_stores_nothing(client, demo, tmp_path):
    response = post_tariff(client, bomb(tmp_path / "bomb.zip").read_bytes(), "bomb.zip")
    assert response.status_code == 413, response.json
    error = response.json["error"]
    assert error["code"] == "input_too_large"
    assert "FAREBRIDGE_MAX_COMPRESSION_RATIO" in error["message"]
    assert response.json["errors"][0]["field"] == "stops.txt"
    assert stored_versions(demo) == 1


def test_an_entry_named_outside_the_archive_is_refused(client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../agency.txt", "agency_id,agency_name\na,A\n")
    response = post_tariff(client, buffer.getvalue(), "escape.zip")
    assert response.status_code == 422
    assert "outside the archive" in response.json["error"]["message"]


def with_stop_name(size: int) -> bytes:
    """The small test feed with one stop name of ``size`` characters."""
    source = zipfile.ZipFile(io.BytesIO(small_gtfs_zip()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            text = source.read(name).decode()
            if name == "stops.txt":
                text = text.replace("s2,Two,", f"s2,{'T' * size},")
            archive.writestr(name, text)
    return buffer.getvalue()


def test_a_csv_field_over_the_limit_is_413_with_file_and_line(client):
    assert post_tariff(client, with_stop_name(1000), "long-names.zip").status_code == 201
    response = post_tariff(client, with_stop_name(200_000), "huge-name.zip")
    assert response.status_code == 413, response.json
    assert [(e["file"], e["line"]) for e in response.json["errors"]] == [("stops.txt", 3)]
    assert "FAREBRIDGE_MAX_CSV_FIELD_BYTES" in response.json["errors"][0]["message"]


def test_an_upload_larger_than_the_request_limit_is_413_naming_the_setting(client, app):
    too_large = bytes(app.config["MAX_CONTENT_LENGTH"] + 1)
    response = post_tariff(client, too_large, "big.json")
    assert response.status_code == 413
    assert "FAREBRIDGE_MAX_UPLOAD_BYTES" in response.json["error"]["message"]


def test_the_admin_page_refuses_a_zip_bomb_with_a_413_report(client, demo, tmp_path):
    log_in(client, ADMIN_EMAIL)
    token = page_csrf_token(client, "/admin/tariffs")
    response = client.post("/admin/tariffs", data={"csrf_token": token,
                                                   "file": (io.BytesIO(bomb(tmp_path / "b.zip").read_bytes()),
                                                            "bomb.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "FAREBRIDGE_MAX_COMPRESSION_RATIO" in response.get_data(as_text=True)
    assert stored_versions(demo) == 1


def test_the_import_command_refuses_a_bomb_and_a_folder_over_the_entry_limit(tmp_path: Path):
    env = {"FAREBRIDGE_INSTANCE_DIR": str(tmp_path / "instance"),
           "FAREBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "FAREBRIDGE_BROKER_URL": "",
           "FAREBRIDGE_MAX_ENTRY_BYTES": "100000"}
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0

    refused = runner.invoke(main, ["tariff", "import", str(bomb(tmp_path / "bomb.zip"))], env=env)
    assert refused.exit_code == 1
    assert "FAREBRIDGE_MAX_ENTRY_BYTES" in refused.output

    folder = tmp_path / "feed"
    folder.mkdir()
    with zipfile.ZipFile(io.BytesIO(small_gtfs_zip())) as archive:
        archive.extractall(folder)
    (folder / "stop_times.txt").write_bytes(b"trip_id\n" + b"t1\n" * 40_000)
    refused = runner.invoke(main, ["tariff", "import", str(folder)], env=env)
    assert refused.exit_code == 1 and "stop_times.txt" in refused.output, refused.output
