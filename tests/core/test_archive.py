"""Zip archives are read within the limits: bombs, lying sizes, many entries and escaping names are refused."""
from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from core.archive import BoundedArchive, unsafe_entry_name
from core.errors import InputTooLarge, ValidationFailed
from core.input_limits import InputLimits, read_file, read_stream

MiB = 1024 * 1024


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def bomb(path: Path, megabytes: int = 8) -> Path:
    """A few KB that unpack to ``megabytes`` MB of zeros."""
    return write_zip(path, {"agency.txt": b"agency_id,agency_name\na,A\n", "stops.txt": bytes(megabytes * MiB)})


def test_a_zip_bomb_is_refused_from_its_directory_naming_the_ratio_limit(tmp_path):
    path = bomb(tmp_path / "bomb.zip")
    assert path.stat().st_size < 64 * 1024
    with pytest.raises(InputTooLarge) as refused:
        BoundedArchive(path, InputLimits())
    detail = refused.value.details[0]
    assert detail["limit"] == "FAREBRIDGE_MAX_COMPRESSION_RATIO" and detail["field"] == "stops.txt"
    assert "100 times" in refused.value.message


def test_an_entry_over_the_size_limit_is_refused_without_unpacking(tmp_path):
    path = write_zip(tmp_path / "feed.zip", {"stops.txt": b"x" * 3000})
    with pytest.raises(InputTooLarge) as refused:
        BoundedArchive(path, InputLimits(entry_bytes=2000))
    assert refused.value.details[0]["limit"] == "FAREBRIDGE_MAX_ENTRY_BYTES"


def test_the_total_of_all_entries_is_bounded(tmp_path):
    path = write_zip(tmp_path / "feed.zip", {f"f{i}.txt": b"y" * 1000 for i in range(5)})
    with pytest.raises(InputTooLarge) as refused:
        BoundedArchive(path, InputLimits(total_bytes=4500))
    assert refused.value.details[0]["limit"] == "FAREBRIDGE_MAX_UNPACKED_BYTES"


def test_too_many_entries_are_refused(tmp_path):
    path = write_zip(tmp_path / "feed.zip", {f"f{i}.txt": b"" for i in range(11)})
    with pytest.raises(InputTooLarge) as refused:
        BoundedArchive(path, InputLimits(archive_entries=10))
    assert refused.value.details[0]["limit"] == "FAREBRIDGE_MAX_ARCHIVE_ENTRIES"
    with BoundedArchive(path, InputLimits(archive_entries=11)) as archive:
        assert len(archive.names) == 11


@pytest.mark.parametrize("name", ["../stops.txt", "feed/../../stops.txt", "/etc/stops.txt", "C:/stops.txt",
                                  "..\\stops.txt"])
def test_entry_names_leading_outside_the_archive_are_refused(tmp_path, name):
    path = write_zip(tmp_path / "feed.zip", {name: b"stop_id\n"})
    assert unsafe_entry_name(name)
    with pytest.raises(ValidationFailed) as refused:
        BoundedArchive(path, InputLimits())
    assert not isinstance(refused.value, InputTooLarge)
    assert "outside the archive" in refused.value.message


def test_ordinary_names_are_safe():
    assert not any(unsafe_entry_name(n) for n in ["stops.txt", "gtfs/stops.txt", "a..b.txt"])


def lie_about_size(path: Path, name: str, claimed: int) -> None:
    """Rewrite the central directory so that ``name`` claims ``claimed`` unpacked bytes."""
    data = bytearray(path.read_bytes())
    offset = data.index(b"PK\x01\x02")  # the first central directory header
    while offset != -1:
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46:offset + 46 + name_length].decode() == name:
            struct.pack_into("<I", data, offset + 24, claimed)
        offset = data.find(b"PK\x01\x02", offset + 46)
    path.write_bytes(bytes(data))


def test_a_directory_that_understates_an_entry_is_caught_while_unpacking(tmp_path):
    path = bomb(tmp_path / "liar.zip", megabytes=4)
    lie_about_size(path, "stops.txt", 1000)  # passes the directory checks: small, under the ratio grace
    with BoundedArchive(path, InputLimits()) as archive:
        with pytest.raises(ValidationFailed) as refused:
            archive.read("stops.txt")
    assert "stops.txt" in refused.value.message


class Endless(io.RawIOBase):
    """A stream of zeros that never ends, counting what was read from it."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        buffer[:] = bytes(len(buffer))
        self.served += len(buffer)
        return len(buffer)


def test_a_stream_is_read_no_further_than_its_limit():
    stream = Endless()
    error = InputLimits().refuse("entry_bytes", "endless", "too long")
    with pytest.raises(InputTooLarge):
        read_stream(stream, 3 * MiB, error)
    assert stream.served <= 3 * MiB + 1


def test_a_file_larger_than_the_upload_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "tariff.json"
    path.write_bytes(b"{}" + b" " * 2000)
    with pytest.raises(InputTooLarge) as refused:
        read_file(path, InputLimits(upload_bytes=1000))
    assert refused.value.details[0]["limit"] == "FAREBRIDGE_MAX_UPLOAD_BYTES"
    assert read_file(path, InputLimits(upload_bytes=5000)).startswith(b"{}")


def test_limits_come_from_the_environment():
    from core.config import Settings

    settings = Settings.from_env({"FAREBRIDGE_MAX_ENTRY_BYTES": "1234", "FAREBRIDGE_MAX_COMPRESSION_RATIO": "7"})
    assert settings.input_limits.entry_bytes == 1234 and settings.input_limits.compression_ratio == 7
    assert Settings.from_env({}).input_limits == InputLimits()
