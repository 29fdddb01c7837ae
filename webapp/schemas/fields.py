"""Field types of our JSON responses, so the OpenAPI document says what the strings hold."""
from __future__ import annotations

from marshmallow import fields, validate


class Amount(fields.String):
    """Money as a decimal string in major units (``"8.37"``), always next to ``currency``."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("metadata", {"example": "8.37"})
        super().__init__(**kwargs)  # type: ignore[arg-type]


class Timestamp(fields.String):
    """An ISO 8601 date-time with its offset; the response builders format it already."""



# Integer ids are 32-bit in PostgreSQL (SQLite refuses past 64 bits): a larger one cannot exist,
# and sending it to the database is a driver error (500) rather than a 404.
MAX_ID = 2**31 - 1
ID_CONVERTER = f"int(min=1, max={MAX_ID})"  # URL rules: <{ID_CONVERTER}:settlement_id>

# core.money.is_currency_code in a form the OpenAPI document shows (a pattern)
CURRENCY_CODE = validate.Regexp(r"^[A-Z]{3}$", error="an ISO 4217 currency code like EUR")
