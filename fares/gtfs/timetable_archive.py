"""The timetable files of a GTFS feed, packed for storage and unpacked again.

The planner builds its timetable from these texts (``journeys``); they are
stored as a deflated zip, the form GTFS itself travels in, which shrinks
``stop_times.txt`` about tenfold. The hash is over the texts, not over the
zip bytes, so it names the content whatever zlib build packed it: a cache may
key on it.
"""
from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Collection, Mapping
from pathlib import Path

from core.errors import ValidationFailed
from core.input_limits import InputLimits
from fares.gtfs.reader import DEFAULT_LIMITS, read_texts

#: The files a timetable is built from (what the planner reads of a feed).
TIMETABLE_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar.txt",
                   "calendar_dates.txt", "frequencies.txt", "transfers.txt")
#: Without these a feed has no timetable (a fare-only feed).
REQUIRED_FILES = ("trips.txt", "stop_times.txt")
#: Bytes of timetable text a stored timetable may hold. The import reads a
#: feed into rows in memory (about 1 kB a stop time); 100 MB of text is a
#: large regional feed and still fits a worker, a national one does not.
MAX_TIMETABLE_BYTES = 100_000_000
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same texts give the same archive


def has_timetable(names: Collection[str]) -> bool:
    """A feed with trips or stop times is a full feed; one with neither carries fares only."""
    return any(name in names for name in REQUIRED_FILES)


def check_timetable_size(source: str, sizes: Mapping[str, int], limit: int | None = None) -> None:
    """Refuse a timetable larger than ``limit`` bytes of text (default ``MAX_TIMETABLE_BYTES``) before reading it."""
    limit = MAX_TIMETABLE_BYTES if limit is None else limit
    total = sum(size for name, size in sizes.items() if name in TIMETABLE_FILES)
    if total > limit:
        largest = max((name for name in sizes if name in TIMETABLE_FILES), key=lambda n: sizes[n])
        raise ValidationFailed(
            f"{source}: the timetable files hold {total:,} bytes, more than the {limit:,} a stored timetable may",
            details=[{"file": largest, "line": None, "field": None,
                      "message": f"{sizes[largest]:,} bytes; the timetable files together may hold {limit:,}"}])


def check_timetable_texts(source: str, texts: Mapping[str, str]) -> None:
    """The names are timetable files and the required ones are there (the content is the planner's to read)."""
    problems = [{"file": name, "line": None, "field": None, "message": "not a timetable file"}
                for name in sorted(texts) if name not in TIMETABLE_FILES]
    problems += [{"file": name, "line": None, "field": None, "message": "a timetable needs this file"}
                 for name in REQUIRED_FILES if name not in texts]
    if problems:
        raise ValidationFailed(f"{source}: not a timetable", details=problems)
    check_timetable_size(source, {name: len(text.encode("utf-8")) for name, text in texts.items()})


def read_timetable_texts(path: Path, limits: InputLimits = DEFAULT_LIMITS) -> dict[str, str]:
    """The timetable files of a feed (zip or folder), as texts, read within ``limits``."""
    return read_texts(path, TIMETABLE_FILES, limits)


def timetable_hash(texts: Mapping[str, str]) -> str:
    """SHA-256 over the files in name order, each as its name, its length and its UTF-8 bytes."""
    digest = hashlib.sha256()
    for name in sorted(texts):
        data = texts[name].encode("utf-8")
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def timetable_size(texts: Mapping[str, str]) -> int:
    return sum(len(text.encode("utf-8")) for text in texts.values())


def pack_timetable(texts: Mapping[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in sorted(texts):
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_DATE), texts[name],
                             compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return buffer.getvalue()


def unpack_timetable(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
