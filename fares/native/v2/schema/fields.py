"""Field types, patterns and small checks shared by the format 2 schemas."""
from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import ValidationError, fields, validate

from core.money import is_currency_code
from fares.native.v2.timebands import minutes

FORMAT = "farebridge-native"
FORMAT_VERSION = 2
MODES = ("bus", "coach", "trolleybus", "tram", "rail", "metro", "subway", "monorail", "ferry", "cable_car",
         "gondola", "funicular")
ID_RE = r"^[A-Za-z0-9_.:-]{1,64}$"
AMOUNT_RE = re.compile(r"\d+(\.\d{1,3})?")
RATIO_RE = re.compile(r"\d+(\.\d{1,6})?")
TIME_RE = re.compile(r"([01]\d|2[0-4]):[0-5]\d")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
AMOUNT_KEYS = frozenset({"amount", "base", "minimum", "maximum", "amount_off", "fixed_amount", "step", "fee",
                         "max_fee"})

Path = tuple[str | int, ...]


class Amount(fields.Field):
    """A decimal string in major units (``"2.90"``), or a JSON number read exactly; loads as a string."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise ValidationError("not an amount like 2.90")
        text = format(value, "f") if isinstance(value, Decimal) else str(value).strip()
        if not AMOUNT_RE.fullmatch(text):
            raise ValidationError("not an amount like 2.90")
        return text


class Ratio(fields.Field):
    """A non-negative decimal (``"0.5"``, ``"1.25"``, at most 6 decimals) as a string, within bounds."""

    def __init__(self, *, maximum: Fraction | None = None, positive: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.maximum = maximum
        self.positive = positive

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise ValidationError("not a decimal like 0.5")
        text = format(value, "f") if isinstance(value, Decimal) else str(value).strip()
        if not RATIO_RE.fullmatch(text):
            raise ValidationError("not a decimal like 0.5 (at most 6 decimals)")
        number = Fraction(Decimal(text))
        if self.positive and number <= 0:
            raise ValidationError("must be more than 0")
        if self.maximum is not None and number > self.maximum:
            raise ValidationError(f"must be at most {self.maximum}")
        return text


class LocalTime(fields.Field):
    """``HH:MM`` local time; ``24:00`` only where a period ends."""

    def __init__(self, *, allow_24: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_24 = allow_24

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not TIME_RE.fullmatch(value) or minutes(value) > 1440:
            raise ValidationError("not a time like 06:30")
        if minutes(value) == 1440 and not self.allow_24:
            raise ValidationError("24:00 is only allowed as the end of a period")
        return value


class IsoDate(fields.Field):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        from datetime import date

        if not isinstance(value, str) or not DATE_RE.fullmatch(value):
            raise ValidationError("not a date like 2026-01-01")
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValidationError("not a date like 2026-01-01") from None
        return value


def id_field(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(ID_RE, error="not an id (letters, digits, _ . : -; 1 to 64)"),
                         **kwargs)


def ids_field(**kwargs: Any) -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=200)), **kwargs)


def minutes_field() -> fields.Integer:
    return fields.Integer(strict=True, allow_none=True, load_default=None,
                          validate=validate.Range(min=1, max=7 * 24 * 60))


def require_one_of(original: Any, names: tuple[str, ...]) -> None:
    """On the input as written, so that an invalid value is not also reported as missing."""
    given = [name for name in names if isinstance(original, dict) and original.get(name) is not None]
    if len(given) != 1:
        raise ValidationError(f"give exactly one of {', '.join(names)}")


def check_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"not an IANA timezone like America/Sao_Paulo: {value!r}") from None


def check_currency_code(code: str) -> None:
    if not is_currency_code(code):
        raise ValidationError("not an ISO 4217 currency code like EUR")
