"""Validation of native tariff packages, format version 2 (marshmallow).

Every problem becomes ``{"file", "line", "field", "message"}``: ``line`` from
the JSON source map (the line of the field, or of its nearest enclosing value
when it is missing), ``field`` as a path like ``products[2].fare.amount``.
Cross-references (product ids, time bands, rider categories) are checked in
the same pass, so one upload reports every problem at once.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from json_source_map import calculate as calculate_source_map
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.errors import ValidationFailed
from core.money import Money, is_currency_code
from fares.native.schema import field_name, line_of, parse_json
from fares.native.v2.apportionment import FIXED_SHARES, METHODS, PER_LEG_FIXED_FEES, REMAINDER_METHODS
from fares.native.v2.model import REFUND_UNTIL, REFUND_UNTIL_VALIDITY_END, TariffV2, build_model
from fares.native.v2.timebands import DAYS, minutes

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


# --- fields ---------------------------------------------------------------------------


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


def _id(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(ID_RE, error="not an id (letters, digits, _ . : -; 1 to 64)"),
                         **kwargs)


def _ids(**kwargs: Any) -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=200)), **kwargs)


def _minutes_field() -> fields.Integer:
    return fields.Integer(strict=True, allow_none=True, load_default=None,
                          validate=validate.Range(min=1, max=7 * 24 * 60))


def _one_of(original: Any, names: tuple[str, ...]) -> None:
    """On the input as written, so that an invalid value is not also reported as missing."""
    given = [name for name in names if isinstance(original, dict) and original.get(name) is not None]
    if len(given) != 1:
        raise ValidationError(f"give exactly one of {', '.join(names)}")


def _timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"not an IANA timezone like America/Sao_Paulo: {value!r}") from None


def _currency_code(code: str) -> None:
    if not is_currency_code(code):
        raise ValidationError("not an ISO 4217 currency code like EUR")


# --- fares ----------------------------------------------------------------------------


class FlatFareSchema(Schema):
    kind = fields.String(required=True, validate=validate.Equal("flat"))
    amount = Amount(required=True)


class ZoneCountRowSchema(Schema):
    zones = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=99))
    amount = Amount(required=True)


class ZoneCountFareSchema(Schema):
    kind = fields.String(required=True, validate=validate.Equal("zone_count"))
    fares = fields.List(fields.Nested(ZoneCountRowSchema), required=True, validate=validate.Length(min=1))

    @validates_schema(skip_on_field_errors=False)
    def _no_gaps(self, data: dict[str, Any], **_: Any) -> None:
        counts = [row["zones"] for row in data.get("fares") or [] if "zones" in row]
        if counts and sorted(counts) != list(range(1, len(counts) + 1)):
            raise ValidationError({"fares": ["zone counts must be 1, 2, ... without gaps or repeats"]})


MatrixCellSchema = Schema.from_dict(
    {
        "from": fields.String(required=True, validate=validate.Length(min=1, max=64)),
        "to": fields.String(required=True, validate=validate.Length(min=1, max=64)),
        "amount": Amount(required=True),
    },
    name="MatrixCellSchema",
)


class ZoneMatrixFareSchema(Schema):
    kind = fields.String(required=True, validate=validate.Equal("zone_matrix"))
    symmetric = fields.Boolean(load_default=False)
    cells = fields.List(fields.Nested(MatrixCellSchema), required=True, validate=validate.Length(min=1))

    @validates_schema(skip_on_field_errors=False)
    def _cells(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[int, Any] = {}
        seen: dict[tuple[str, str], int] = {}
        for index, cell in enumerate(data.get("cells") or []):
            if "from" not in cell or "to" not in cell:
                continue
            key = (cell["from"], cell["to"])
            if key in seen:
                errors[index] = [f"{key[0]} -> {key[1]} is listed twice (first at cells[{seen[key]}])"]
            elif data.get("symmetric") and key[0] != key[1] and (key[1], key[0]) in seen:
                errors[index] = [f"the matrix is symmetric: {key[0]} -> {key[1]} is already given by "
                                 f"cells[{seen[(key[1], key[0])]}]"]
            seen.setdefault(key, index)
        if errors:
            raise ValidationError({"cells": errors})


class RoundingSchema(Schema):
    mode = fields.String(load_default="half_up", validate=validate.OneOf(["up", "down", "half_up"]))
    step = Amount(required=True)

    @validates_schema(skip_on_field_errors=False)
    def _positive(self, data: dict[str, Any], **_: Any) -> None:
        if "step" in data and Decimal(data["step"]) <= 0:
            raise ValidationError({"step": ["must be more than 0"]})


class DistanceFareSchema(Schema):
    kind = fields.String(required=True, validate=validate.Equal("distance"))
    base = Amount(load_default="0")
    per_km = Ratio(required=True)
    rounding = fields.Nested(RoundingSchema, load_default=None, allow_none=True)
    minimum = Amount(load_default=None, allow_none=True)
    maximum = Amount(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def _bounds(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("minimum") is not None and data.get("maximum") is not None:
            if Decimal(data["minimum"]) > Decimal(data["maximum"]):
                raise ValidationError({"maximum": ["maximum is below minimum"]})


FARE_SCHEMAS: dict[str, type[Schema]] = {
    "flat": FlatFareSchema,
    "zone_count": ZoneCountFareSchema,
    "zone_matrix": ZoneMatrixFareSchema,
    "distance": DistanceFareSchema,
}


class FareField(fields.Field):
    """A fare object; ``kind`` picks its schema."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValidationError("not a fare object like {\"kind\": \"flat\", \"amount\": \"2.90\"}")
        schema = FARE_SCHEMAS.get(value.get("kind"))  # type: ignore[arg-type]
        if schema is None:
            raise ValidationError({"kind": [f"must be one of: {', '.join(FARE_SCHEMAS)}"]})
        return schema().load(value)  # type: ignore[return-value]


# --- parts of products and rules --------------------------------------------------------


class ScopeSchema(Schema):
    operators = _ids(load_default=None, validate=validate.Length(min=1))
    routes = _ids(load_default=None, validate=validate.Length(min=1))
    modes = fields.List(fields.String(validate=validate.OneOf(MODES)), load_default=None,
                        validate=validate.Length(min=1))


class PeriodSchema(Schema):
    days = fields.List(fields.String(validate=validate.OneOf(DAYS)), required=True,
                       validate=validate.Length(min=1, max=7))
    start = LocalTime(required=True)
    end = LocalTime(required=True, allow_24=True)

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if len(set(data["days"])) != len(data["days"]):
            raise ValidationError({"days": ["a day is listed twice"]})
        if minutes(data["start"]) == minutes(data["end"]):
            raise ValidationError({"end": ["a period must not end where it starts (00:00 to 24:00 is all day)"]})


class TimeBandSchema(Schema):
    id = _id(required=True)
    name = fields.String(load_default=None)
    periods = fields.List(fields.Nested(PeriodSchema), required=True, validate=validate.Length(min=1))


class BandAdjustmentSchema(Schema):
    band = _id(required=True)
    multiplier = Ratio(load_default=None, allow_none=True)
    amount = Amount(load_default=None, allow_none=True)
    fare = FareField(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _exactly_one(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        _one_of(original, ("multiplier", "amount", "fare"))


class CoverageSchema(Schema):
    max_transfers = fields.Integer(strict=True, allow_none=True, load_default=None,
                                   validate=validate.Range(min=0, max=20))
    window_minutes = _minutes_field()
    allow_same_route = fields.Boolean(load_default=True)


class ApportionmentSchema(Schema):
    method = fields.String(load_default="standalone_fares", validate=validate.OneOf(METHODS))
    shares = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=200)),
                         values=Ratio(positive=True, maximum=Fraction(1)), load_default=None)
    fees = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=200)), values=Amount(),
                       load_default=None)
    remainder = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(REMAINDER_METHODS))
    reseller_commission = Ratio(load_default=None, allow_none=True, maximum=Fraction(1, 2))
    clearing_fee = Ratio(load_default=None, allow_none=True, maximum=Fraction(1, 2))

    @validates_schema(skip_on_field_errors=False)
    def _method_fields(self, data: dict[str, Any], **_: Any) -> None:
        method = data.get("method")
        errors: dict[str, list[str]] = {}
        if method == FIXED_SHARES:
            shares = data.get("shares")
            if not shares:
                errors["shares"] = ["fixed_shares needs shares: {operator id: share}"]
            elif sum(Fraction(Decimal(v)) for v in shares.values()) != 1:
                errors["shares"] = ["the shares must add up to exactly 1"]
        elif data.get("shares") is not None:
            errors["shares"] = ["shares belong to the fixed_shares method"]
        if method == PER_LEG_FIXED_FEES:
            if not data.get("fees"):
                errors["fees"] = ["per_leg_fixed_fees needs fees: {operator id: fee per leg}"]
        else:
            if data.get("fees") is not None:
                errors["fees"] = ["fees belong to the per_leg_fixed_fees method"]
            if data.get("remainder") is not None:
                errors["remainder"] = ["remainder belongs to the per_leg_fixed_fees method"]
        if errors:
            raise ValidationError(errors)


class ProductSchema(Schema):
    id = _id(required=True)
    name = fields.String(load_default=None)
    scope = fields.Nested(ScopeSchema, required=True)
    fare = FareField(required=True)
    time_bands = fields.List(fields.Nested(BandAdjustmentSchema), load_default=list)
    transfers = fields.Nested(CoverageSchema, load_default=None, allow_none=True)
    apportionment = fields.Nested(ApportionmentSchema, load_default=None, allow_none=True)


class ThroughFareSchema(Schema):
    id = _id(required=True)
    name = fields.String(load_default=None)
    sequence = fields.List(_id(), required=True, validate=validate.Length(min=2, max=8))
    amount = Amount(required=True)
    window_minutes = _minutes_field()
    allow_same_route = fields.Boolean(load_default=True)
    time_bands = fields.List(fields.Nested(BandAdjustmentSchema), load_default=list)
    apportionment = fields.Nested(ApportionmentSchema, load_default=None, allow_none=True)


class TransferPriceSchema(Schema):
    factor = Ratio(load_default=None, allow_none=True, maximum=Fraction(1))
    amount_off = Amount(load_default=None, allow_none=True)
    amount = Amount(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _exactly_one(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        _one_of(original, ("factor", "amount_off", "amount"))


class TransferSchema(Schema):
    id = _id(required=True)
    name = fields.String(load_default=None)
    from_products = fields.List(_id(), required=True, validate=validate.Length(min=1))
    to_products = fields.List(_id(), required=True, validate=validate.Length(min=1))
    window_minutes = _minutes_field()
    allow_same_route = fields.Boolean(load_default=True)
    price = fields.Nested(TransferPriceSchema, required=True)


class DiscountSchema(Schema):
    factor = Ratio(load_default=None, allow_none=True, maximum=Fraction(1))
    amount_off = Amount(load_default=None, allow_none=True)
    fixed_amount = Amount(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _exactly_one(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        _one_of(original, ("factor", "amount_off", "fixed_amount"))


class RiderCategorySchema(Schema):
    id = _id(required=True)
    name = fields.String(load_default=None)
    is_default = fields.Boolean(load_default=False)
    discount = fields.Nested(DiscountSchema, load_default=None, allow_none=True)
    products = fields.List(_id(), load_default=None, validate=validate.Length(min=1))


class CapSchema(Schema):
    id = _id(required=True)
    name = fields.String(load_default=None)
    period = fields.String(required=True, validate=validate.OneOf(["day", "week"]))
    amount = Amount(required=True)
    operators = _ids(load_default=None, validate=validate.Length(min=1))
    rider_categories = fields.List(_id(), load_default=None, validate=validate.Length(min=1))


class PassSchema(Schema):
    id = _id(required=True)
    name = fields.String(load_default=None)
    period = fields.String(required=True, validate=validate.OneOf(["day", "week", "month"]))
    calendar = fields.Boolean(load_default=True)
    amount = Amount(required=True)
    scope = fields.Nested(ScopeSchema, load_default=dict)
    zones = fields.List(fields.String(validate=validate.Length(min=1, max=64)), load_default=None,
                        validate=validate.Length(min=1))
    rider_categories = fields.List(_id(), load_default=None, validate=validate.Length(min=1))


class RefundPolicySchema(Schema):
    """``refund_policy``: the fee a refund costs and until when a ticket can be refunded."""

    fee = Amount(load_default="0")
    fee_percent = Ratio(load_default="0", maximum=Fraction(100))
    max_fee = Amount(load_default=None, allow_none=True)
    allow_partial = fields.Boolean(load_default=True)
    until = fields.String(load_default=REFUND_UNTIL_VALIDITY_END, validate=validate.OneOf(REFUND_UNTIL))

    @validates_schema(skip_on_field_errors=False)
    def _max_fee(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("max_fee") is not None and "fee" in data and Decimal(data["max_fee"]) < Decimal(data["fee"]):
            raise ValidationError({"max_fee": ["max_fee is below the fixed fee"]})


# --- the package -------------------------------------------------------------------------


class NativeTariffV2Schema(Schema):
    format = fields.String(required=True, validate=validate.Equal(FORMAT))
    format_version = fields.Integer(required=True, strict=True, validate=validate.Equal(FORMAT_VERSION))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    currency = fields.String(required=True, validate=_currency_code)
    timezone = fields.String(required=True, validate=_timezone)
    valid_from = IsoDate(required=True)
    valid_to = IsoDate(load_default=None, allow_none=True)
    service_day_start = LocalTime(load_default="00:00")
    max_discounted_transfers = fields.Integer(strict=True, allow_none=True, load_default=None,
                                              validate=validate.Range(min=0, max=20))
    rider_categories = fields.List(fields.Nested(RiderCategorySchema), required=True,
                                   validate=validate.Length(min=1))
    time_bands = fields.List(fields.Nested(TimeBandSchema), load_default=list)
    products = fields.List(fields.Nested(ProductSchema), required=True, validate=validate.Length(min=1))
    through_fares = fields.List(fields.Nested(ThroughFareSchema), load_default=list)
    transfers = fields.List(fields.Nested(TransferSchema), load_default=list)
    caps = fields.List(fields.Nested(CapSchema), load_default=list)
    passes = fields.List(fields.Nested(PassSchema), load_default=list)
    apportionment = fields.Nested(ApportionmentSchema, load_default=lambda: {"method": "standalone_fares"})
    refund_policy = fields.Nested(RefundPolicySchema, load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def _cross_checks(self, data: dict[str, Any], **_: Any) -> None:
        """Runs even when fields failed, so that one upload reports every problem at once."""
        errors = _ErrorTree()
        _check_categories(data, errors)
        _check_references(data, errors)
        currency = data.get("currency")
        if isinstance(currency, str) and is_currency_code(currency):
            _check_amounts(data, currency, (), errors)
        if data.get("valid_to") and data.get("valid_from") and data["valid_to"] < data["valid_from"]:
            errors.add(("valid_to",), "valid_to is before valid_from")
        if errors.tree:
            raise ValidationError(errors.tree)


class _ErrorTree:
    def __init__(self) -> None:
        self.tree: dict[str | int, Any] = {}

    def add(self, path: Path, message: str) -> None:
        node = self.tree
        for step in path:
            node = node.setdefault(step, {})
        node.setdefault("_schema", []).append(message)


def _rows(data: Mapping[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    return [(i, row) for i, row in enumerate(data.get(key) or []) if isinstance(row, dict)]


def _check_categories(data: Mapping[str, Any], errors: _ErrorTree) -> None:
    categories = _rows(data, "rider_categories")
    seen: set[str] = set()
    for index, row in categories:
        if row.get("id") in seen:
            errors.add(("rider_categories", index, "id"), f"rider category {row['id']!r} is listed twice")
        seen.add(row.get("id"))  # type: ignore[arg-type]
    if categories and sum(1 for _, row in categories if row.get("is_default")) != 1:
        errors.add(("rider_categories",), "exactly one rider category must be the default (is_default: true)")


def _check_references(data: Mapping[str, Any], errors: _ErrorTree) -> None:
    bands: set[str] = set()
    for index, row in _rows(data, "time_bands"):
        if row.get("id") in bands:
            errors.add(("time_bands", index, "id"), f"time band {row['id']!r} is listed twice")
        bands.add(row.get("id"))  # type: ignore[arg-type]
    rule_ids: dict[str, str] = {}
    for section in ("products", "through_fares", "transfers", "caps", "passes"):
        for index, row in _rows(data, section):
            rule_id = row.get("id")
            if rule_id is None:
                continue
            if rule_id in rule_ids:
                errors.add((section, index, "id"), f"id {rule_id!r} is already used by {rule_ids[rule_id]}")
            else:
                rule_ids[rule_id] = f"{section}[{index}]"
    products = {row.get("id") for _, row in _rows(data, "products")}
    priced = products | {row.get("id") for _, row in _rows(data, "through_fares")}
    categories = {row.get("id") for _, row in _rows(data, "rider_categories")}

    def refs(path: Path, values: Any, known: set[Any], what: str) -> None:
        for position, value in enumerate(values or []):
            if value not in known:
                errors.add((*path, position), f"unknown {what} {value!r}")

    def band_refs(path: Path, rows: Any) -> None:
        used: set[str] = set()
        for position, row in enumerate(rows or []):
            if not isinstance(row, dict) or "band" not in row:
                continue
            if row["band"] not in bands:
                errors.add((*path, position, "band"), f"unknown time band {row['band']!r}")
            elif row["band"] in used:
                errors.add((*path, position, "band"), f"time band {row['band']!r} is adjusted twice")
            used.add(row["band"])

    for index, row in _rows(data, "products"):
        band_refs(("products", index, "time_bands"), row.get("time_bands"))
    for index, row in _rows(data, "through_fares"):
        refs(("through_fares", index, "sequence"), row.get("sequence"), products, "product")
        band_refs(("through_fares", index, "time_bands"), row.get("time_bands"))
    for index, row in _rows(data, "transfers"):
        refs(("transfers", index, "from_products"), row.get("from_products"), products, "product")
        refs(("transfers", index, "to_products"), row.get("to_products"), products, "product")
    for index, row in _rows(data, "rider_categories"):
        refs(("rider_categories", index, "products"), row.get("products"), priced, "product or through fare")
    for section in ("caps", "passes"):
        for index, row in _rows(data, section):
            refs((section, index, "rider_categories"), row.get("rider_categories"), categories, "rider category")


def _check_amounts(value: Any, currency: str, path: Path, errors: _ErrorTree) -> None:
    """Every amount must fit the currency's minor unit (2.905 is not a EUR amount)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in AMOUNT_KEYS and isinstance(item, str):
                _parse_amount(item, currency, (*path, key), errors)
            elif key == "fees" and isinstance(item, dict):
                for operator, fee in item.items():
                    if isinstance(fee, str):
                        _parse_amount(fee, currency, (*path, key, operator), errors)
            else:
                _check_amounts(item, currency, (*path, key), errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_amounts(item, currency, (*path, index), errors)


def _parse_amount(text: str, currency: str, path: Path, errors: _ErrorTree) -> None:
    try:
        Money.parse(text, currency)
    except ValueError as exc:
        errors.add(path, str(exc))


# --- loading ------------------------------------------------------------------------------


def _flatten(messages: Any, path: Path = ()) -> list[tuple[Path, str]]:
    """marshmallow's nested messages as (path, message) pairs; ``_schema`` belongs to its parent."""
    if isinstance(messages, dict):
        out: list[tuple[Path, str]] = []
        for key, value in messages.items():
            out.extend(_flatten(value, path if key == "_schema" else (*path, key)))
        return out
    if isinstance(messages, list):
        out = []
        for message in messages:
            out.extend(_flatten(message, path) if isinstance(message, dict | list) else [(path, str(message))])
        return out
    return [(path, str(messages))]


def _dict_path(path: Path) -> Path:
    """``fields.Dict`` adds ``key``/``value`` after the entry; the entry is what the author wrote."""
    if len(path) >= 3 and path[-1] in ("key", "value") and path[-3] in ("shares", "fees"):
        return path[:-1]
    return path


def _fail(filename: str, problems: list[dict[str, Any]]) -> ValidationFailed:
    return ValidationFailed(f"{filename}: {len(problems)} problem(s) in the tariff package", details=problems)


def validate_native_v2(raw: Any, filename: str, source_text: str | None = None) -> dict[str, Any]:
    """Validate a parsed package; return it normalised (defaults filled in, amounts as strings).

    ``source_text`` gives problems their line numbers; without it ``line`` is None.
    """
    if not isinstance(raw, dict):
        raise _fail(filename, [{"file": filename, "line": 1, "field": None, "message": "expected a JSON object"}])
    version = raw.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version != FORMAT_VERSION:
        source_map = calculate_source_map(source_text) if source_text is not None else None
        raise _fail(filename, [{
            "file": filename,
            "line": line_of(source_map, ("format_version",)) if source_map is not None else None,
            "field": "format_version",
            "message": f"this loader reads format_version {FORMAT_VERSION}, the package is version {version}",
        }])
    try:
        return NativeTariffV2Schema().load(raw)  # type: ignore[return-value]
    except ValidationError as exc:
        source_map = calculate_source_map(source_text) if source_text is not None else None
        problems = []
        for path, message in _flatten(exc.messages):
            path = _dict_path(path)
            problems.append({
                "file": filename,
                "line": line_of(source_map, path) if source_map is not None else None,
                "field": field_name(path),
                "message": message,
            })
        problems.sort(key=lambda p: (p["line"] or 0, p["field"]))
        raise _fail(filename, problems) from None


def load_native_v2(text: str, filename: str, version_id: int | None = None) -> TariffV2:
    """Parse, validate and build a format-2 package; raise ``ValidationFailed`` listing every problem."""
    raw = parse_json(text, filename)
    return build_model(validate_native_v2(raw, filename, text), version_id)
