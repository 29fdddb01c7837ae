"""Field types of our JSON responses, so the OpenAPI document says what the strings hold."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError, fields, validate

#: Dates and times the API accepts: a timetable, a tariff or a sale outside these years makes no
#: sense, and the year 1 or 9999 overflows as soon as a day is added or taken away (a 500 before).
FIRST_YEAR, LAST_YEAR = 1970, 2999
YEARS = f"a year of {FIRST_YEAR}-{LAST_YEAR}"


class Amount(fields.String):
    """Money as a decimal string in major units (``"8.37"``), always next to ``currency``."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("metadata", {"example": "8.37"})
        super().__init__(**kwargs)  # type: ignore[arg-type]


def _check_year(value: date) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(f"{YEARS}, not {value.year}")


class BoundedDateTime(fields.DateTime):
    """An ISO 8601 date-time of ``FIRST_YEAR`` to ``LAST_YEAR``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        result: datetime = super()._deserialize(value, attr, data, **kwargs)
        _check_year(result)
        return result


class BoundedDate(fields.Date):
    """An ISO 8601 date of ``FIRST_YEAR`` to ``LAST_YEAR``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        result: date = super()._deserialize(value, attr, data, **kwargs)
        _check_year(result)
        return result


class Timestamp(fields.String):
    """An ISO 8601 date-time with its offset; the response builders format it already."""



# Integer ids are 32-bit in PostgreSQL (SQLite refuses past 64 bits): a larger one cannot exist,
# and sending it to the database is a driver error (500) rather than a 404.
MAX_ID = 2**31 - 1
ID_CONVERTER = f"int(min=1, max={MAX_ID})"  # URL rules: <{ID_CONVERTER}:settlement_id>

# core.money.is_currency_code in a form the OpenAPI document shows (a pattern)
CURRENCY_CODE = validate.Regexp(r"^[A-Z]{3}$", error="an ISO 4217 currency code like EUR")
