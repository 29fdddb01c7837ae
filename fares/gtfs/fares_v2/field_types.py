"""GTFS field types for the Fares v2 row schemas: optional integers, local times, enums, signs.

Each accepts an empty value as absent (None), as GTFS optional fields do.
"""
from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, validate

from fares.gtfs.basics import Optional

_TIME = re.compile(r"^(\d{1,2}):([0-5]\d):([0-5]\d)$")
_INT = re.compile(r"^-?\d+$")
DAY = 24 * 3600


def one_of(*choices: int) -> Any:
    def check(value: int | None) -> None:
        if value is not None and value not in choices:
            raise ValidationError(f"must be one of {', '.join(map(str, choices))}")
    return check


class GtfsInt(Optional):
    """An optional integer; empty means absent."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | None:  # type: ignore[override]
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is None:
            return None
        if not _INT.match(text):
            raise ValidationError(f"not an integer: {text!r}")
        return int(text)


class LocalTime(Optional):
    """``H:MM:SS`` or ``HH:MM:SS`` -> seconds after midnight; timeframes forbid values above 24:00:00."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | None:  # type: ignore[override]
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is None:
            return None
        match = _TIME.match(text)
        if not match:
            raise ValidationError(f"not a time in HH:MM:SS form: {text!r}")
        hours, minutes, seconds = (int(part) for part in match.groups())
        total = hours * 3600 + minutes * 60 + seconds
        if total > DAY:
            raise ValidationError(f"{text} is after 24:00:00, which timeframes forbid")
        return total


def non_negative(value: int | None) -> None:
    if value is not None and value < 0:
        raise ValidationError("must not be negative")


def positive(value: int | None) -> None:
    if value is not None and value <= 0:
        raise ValidationError("must be a positive number of seconds")


def transfer_count(value: int | None) -> None:
    if value is not None and value != -1 and value < 1:
        raise ValidationError("must be -1 (no limit) or 1 or more")


def url(value: str | None) -> None:
    if value is not None:
        validate.URL()(value)
