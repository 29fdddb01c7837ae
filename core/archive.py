"""A zip archive read within ``InputLimits``: no zip bomb, no entry outside the archive.

The directory at the end of a zip is checked first (number of entries, names,
declared sizes, compression ratios), so a bomb is refused in milliseconds
without unpacking anything. The directory can lie, so every entry is also
counted while it is unpacked and reading stops at the first byte past a limit:
memory never holds more than the limit of one entry.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from types import TracebackType

from core.errors import ValidationFailed
from core.input_limits import InputLimits, read_stream

#: Entries smaller than this are not held to the compression ratio: a short file of
#: repeated characters compresses very well and cannot hurt.
RATIO_GRACE_BYTES = 1024 * 1024

_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_entry_name(name: str) -> bool:
    """An absolute path or one with a ``..`` step would land outside a folder the archive was unpacked into."""
    steps = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name)) or ".." in steps


def damaged(archive: str, name: str, reason: object) -> ValidationFailed:
    message = f"{name} cannot be unpacked: {reason}"
    return ValidationFailed(f"{archive}: {message}", details=[
        {"file": archive, "line": None, "field": name, "message": message}])


class BoundedArchive:
    """Open with ``BoundedArchive(path, limits)`` (a context manager); ``names`` are the files, ``read`` unpacks one.

    Raises ``InputTooLarge`` (a limit crossed) or ``ValidationFailed`` (unsafe
    name, encrypted or damaged entry); ``zipfile.BadZipFile`` when the file is
    no zip at all.
    """

    def __init__(self, path: Path, limits: InputLimits) -> None:
        self.source = path.name
        self.limits = limits
        self._zip = zipfile.ZipFile(path)
        try:
            self._infos = {info.filename: info for info in self._checked_directory()}
        except BaseException:
            self._zip.close()
            raise
        self._unpacked = 0  # bytes unpacked so far, all entries together

    def _checked_directory(self) -> list[zipfile.ZipInfo]:
        limits, source = self.limits, self.source
        infos = self._zip.infolist()
        if len(infos) > limits.archive_entries:
            raise limits.refuse("archive_entries", source, f"the zip has {len(infos)} entries")
        total = 0
        for info in infos:
            if unsafe_entry_name(info.filename):
                raise ValidationFailed(f"{source}: the entry {info.filename!r} points outside the archive", details=[
                    {"file": source, "line": None, "field": info.filename,
                     "message": "an entry name with '..' or an absolute path is refused"}])
            if info.flag_bits & 0x1:
                raise damaged(source, info.filename, "it is encrypted")
            self._check_entry(info, info.file_size)
            total += info.file_size
            if total > limits.total_bytes:
                raise limits.refuse("total_bytes", source, f"the zip unpacks to more than {limits.total_bytes} bytes")
        return [info for info in infos if not info.is_dir()]

    def _check_entry(self, info: zipfile.ZipInfo, size: int) -> None:
        limits, source = self.limits, self.source
        if size > limits.entry_bytes:
            raise limits.refuse("entry_bytes", source, f"{info.filename} unpacks to more than "
                                f"{limits.entry_bytes} bytes", field=info.filename)
        if size > RATIO_GRACE_BYTES and size > limits.compression_ratio * max(info.compress_size, 1):
            raise limits.refuse("compression_ratio", source, f"{info.filename} unpacks to more than "
                                f"{limits.compression_ratio} times its packed size", field=info.filename)

    @property
    def names(self) -> list[str]:
        return list(self._infos)

    def read(self, name: str) -> bytes:
        """The entry's bytes, counted while unpacking against every limit the directory was checked against."""
        info = self._infos[name]
        limits = self.limits
        left = limits.total_bytes - self._unpacked
        by_ratio = max(RATIO_GRACE_BYTES, limits.compression_ratio * max(info.compress_size, 1))
        bound, error = min(
            (limits.entry_bytes, limits.refuse("entry_bytes", self.source, f"{name} unpacks to more than "
                                               f"{limits.entry_bytes} bytes", field=name)),
            (left, limits.refuse("total_bytes", self.source,
                                 f"the zip unpacks to more than {limits.total_bytes} bytes", field=name)),
            (by_ratio, limits.refuse("compression_ratio", self.source, f"{name} unpacks to more than "
                                     f"{limits.compression_ratio} times its packed size", field=name)),
            key=lambda pair: pair[0],
        )
        try:
            with self._zip.open(info) as entry:
                data = read_stream(entry, bound, error)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
            raise damaged(self.source, name, exc) from None
        self._unpacked += len(data)
        return data

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> BoundedArchive:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
