"""How much an uploaded or imported input may make us read, unpack and parse.

A 1.5 MB zip can unpack to 1.5 GB (a zip bomb), a JSON document can nest
deeper than the parser's recursion, a CSV field can run for megabytes. Every
reader of outside input takes an ``InputLimits`` and stops at the first limit
it crosses, with an ``InputTooLarge`` that names the limit and the setting that
raises it, before it has read (or allocated) more than the limit.

The defaults admit the largest real feeds we import (the Porto Alegre bus
feed unpacks to 5.7 MB at a ratio under 10) with a wide margin.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from core.errors import InputTooLarge, ValidationFailed

MiB = 1024 * 1024
CHUNK = 1024 * 1024  # bytes read at a time when streaming


@dataclass(frozen=True, slots=True)
class InputLimits:
    upload_bytes: int = 20 * MiB  # an uploaded or imported file as sent (zip or JSON)
    archive_entries: int = 200  # entries in a zip (a GTFS feed has a few dozen files)
    entry_bytes: int = 200 * MiB  # one unpacked file (a zip entry or a file of a folder)
    total_bytes: int = 400 * MiB  # all unpacked files of one archive or folder together
    compression_ratio: int = 100  # unpacked / packed size of one zip entry (text compresses 5-20 times)
    csv_field_bytes: int = 128 * 1024  # one CSV field (csv.field_size_limit)
    json_depth: int = 64  # nesting of arrays and objects in a JSON document
    json_number_digits: int = 100  # digits of one number in a JSON document

    #: The environment variable that sets each limit (core/config.py reads them).
    SETTINGS = {
        "upload_bytes": "FAREBRIDGE_MAX_UPLOAD_BYTES",
        "archive_entries": "FAREBRIDGE_MAX_ARCHIVE_ENTRIES",
        "entry_bytes": "FAREBRIDGE_MAX_ENTRY_BYTES",
        "total_bytes": "FAREBRIDGE_MAX_UNPACKED_BYTES",
        "compression_ratio": "FAREBRIDGE_MAX_COMPRESSION_RATIO",
        "csv_field_bytes": "FAREBRIDGE_MAX_CSV_FIELD_BYTES",
        "json_depth": "FAREBRIDGE_MAX_JSON_DEPTH",
        "json_number_digits": "FAREBRIDGE_MAX_JSON_NUMBER_DIGITS",
    }

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> InputLimits:
        values = {name: int(env[variable]) for name, variable in cls.SETTINGS.items() if env.get(variable)}
        return cls(**values)

    def refuse(self, limit: str, file: str | None, message: str, field: str | None = None,
               line: int | None = None) -> InputTooLarge:
        """The error for crossing ``limit``: names the file, the limit's value and its setting."""
        value = getattr(self, limit)
        setting = self.SETTINGS[limit]
        text = f"{message} (limit {value}, {setting})"
        return InputTooLarge(f"{file}: {text}" if file else text, details=[
            {"file": file, "line": line, "field": field, "message": text, "limit": setting, "value": value}])


def read_stream(stream: BinaryIO, limit: int, on_too_large: InputTooLarge) -> bytes:
    """At most ``limit`` bytes of ``stream``; raises ``on_too_large`` as soon as there are more."""
    parts = []
    size = 0
    while True:
        chunk = stream.read(min(CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > limit:
            raise on_too_large
        parts.append(chunk)


def read_file(path: Path, limits: InputLimits, limit: str = "upload_bytes") -> bytes:
    """A whole file, refused without reading it when it is larger than the limit (``upload_bytes`` by default).

    The size is checked before reading and again while reading: a pipe or a
    device has no size, and a file may grow.
    """
    maximum = getattr(limits, limit)
    error = limits.refuse(limit, path.name, f"the file is larger than {maximum} bytes")
    try:
        if path.stat().st_size > maximum:
            raise error
        with path.open("rb") as handle:
            return read_stream(handle, maximum, error)
    except OSError as exc:
        reason = f"cannot be read: {exc.strerror or exc}"
        raise ValidationFailed(f"{path.name} {reason}", details=[
            {"file": path.name, "line": None, "field": None, "message": reason}]) from None


def load_json(text: str | bytes, limits: InputLimits, source: str | None = None, **options: Any) -> Any:
    """``json.loads`` within the limits: nesting depth and digits of a number; NUL characters refused.

    Without it a body nested 50,000 deep ends in a ``RecursionError`` and a
    5,000-digit number in a ``ValueError`` deep in the parser (both 500s),
    and a NUL character reaches PostgreSQL, which refuses it. ``options`` go
    to ``json.loads`` (``parse_float=Decimal`` for tariffs).
    """
    def refused(message: str, limit: str | None = None) -> ValidationFailed:
        if limit is not None:
            message = f"{message} (limit {getattr(limits, limit)}, {InputLimits.SETTINGS[limit]})"
        where = f"{source}: " if source else ""
        return ValidationFailed(f"{where}{message}", details=[
            {"file": source, "line": None, "field": None, "message": message}], code="invalid_json")

    def parse_int(digits: str) -> int:
        if len(digits.lstrip("-")) > limits.json_number_digits:
            raise refused(f"a number has more than {limits.json_number_digits} digits", "json_number_digits")
        return int(digits)

    try:
        value = json.loads(text, parse_int=parse_int, **options)
    except RecursionError:
        raise refused(f"arrays and objects nest deeper than {limits.json_depth}", "json_depth") from None
    _check_nesting(value, limits.json_depth, refused)
    return value


def _check_nesting(value: Any, depth_limit: int, refused: Callable[..., ValidationFailed]) -> None:
    """Depth of arrays and objects, and NUL characters in strings and keys (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise refused("a string holds a NUL character (\\u0000)")
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > depth_limit:
            raise refused(f"arrays and objects nest deeper than {depth_limit}", "json_depth")
        if isinstance(item, dict):
            stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        else:
            stack.extend((child, depth + 1) for child in item)
