"""Validation of native tariff packages (marshmallow).

Every problem becomes ``{"file", "line", "field", "message"}``. JSON syntax
errors carry the line; schema errors carry the JSON path of the field.
"""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from json_source_map import calculate as calculate_source_map
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.errors import ValidationFailed
from core.input_limits import InputLimits, load_json
from core.money import Money, is_currency_code

DEFAULT_LIMITS = InputLimits()  # nesting depth and digits of numbers in a package

FORMAT = "farebridge-native"


def _currency_code(code: str) -> None:
    # marshmallow 4 ignores a validator's False return value: it has to raise.
    if not is_currency_code(code):
        raise ValidationError("not an ISO 4217 currency code like EUR")


def _amount_field() -> fields.String:
    return fields.String(required=True, validate=validate.Regexp(r"^\d+(\.\d{1,3})?$", error="not an amount like 2.90"))


class RiderCategorySchema(Schema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$"))
    name = fields.String(load_default=None)
    is_default = fields.Boolean(load_default=False)
    factor = fields.String(load_default="1", validate=validate.Regexp(r"^\d+(\.\d+)?$", error="not a factor like 0.5"))


class ZoneFareSchema(Schema):
    zones = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=99))
    amount = _amount_field()


class ApportionmentSchema(Schema):
    method = fields.String(load_default="standalone_fares", validate=validate.OneOf(["standalone_fares"]))


class NativeTariffSchema(Schema):
    format = fields.String(required=True, validate=validate.Equal(FORMAT))
    format_version = fields.Integer(required=True, strict=True, validate=validate.Equal(1))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    currency = fields.String(required=True, validate=_currency_code)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(load_default=None, allow_none=True)
    rider_categories = fields.List(fields.Nested(RiderCategorySchema), required=True, validate=validate.Length(min=1))
    zone_fares = fields.List(fields.Nested(ZoneFareSchema), required=True, validate=validate.Length(min=1))
    apportionment = fields.Nested(ApportionmentSchema, load_default=lambda: {"method": "standalone_fares"})

    @validates_schema(skip_on_field_errors=False)
    def _cross_checks(self, data: dict[str, Any], **_: Any) -> None:
        """Runs even when fields failed, so that one upload reports every problem at once."""
        errors: dict[str, Any] = {}
        categories = [c for c in data.get("rider_categories") or [] if "id" in c]
        ids = [c["id"] for c in categories]
        if len(set(ids)) != len(ids):
            errors["rider_categories"] = ["rider category ids must be unique"]
        elif categories and sum(1 for c in categories if c.get("is_default")) != 1:
            errors["rider_categories"] = ["exactly one rider category must be the default (is_default: true)"]
        zones = [row["zones"] for row in data.get("zone_fares") or [] if "zones" in row]
        if zones and sorted(zones) != list(range(1, len(zones) + 1)):
            # a dict, so that per-row amount errors below can join it
            errors["zone_fares"] = {"_schema": ["zone counts must be 1, 2, ... without gaps or repeats"]}
        currency = data.get("currency")
        if currency and is_currency_code(currency):
            for index, row in enumerate(data.get("zone_fares") or []):
                if "amount" not in row:
                    continue
                try:
                    Money.parse(row["amount"], currency)
                except ValueError as exc:
                    errors.setdefault("zone_fares", {})[index] = {"amount": [str(exc)]}
        if data.get("valid_to") and data.get("valid_from") and data["valid_to"] < data["valid_from"]:
            errors["valid_to"] = ["valid_to is before valid_from"]
        if errors:
            raise ValidationError(errors)


Path = tuple[str | int, ...]


def _flatten(messages: Any, path: Path = ()) -> list[tuple[Path, str]]:
    """marshmallow's nested messages as (path, message) pairs; ``_schema`` belongs to its parent."""
    if isinstance(messages, dict):
        out: list[tuple[Path, str]] = []
        for key, value in messages.items():
            out.extend(_flatten(value, path if key == "_schema" else path + (key,)))
        return out
    if isinstance(messages, list):
        out = []
        for message in messages:
            out.extend(_flatten(message, path) if isinstance(message, (dict, list)) else [(path, str(message))])
        return out
    return [(path, str(messages))]


def field_name(path: Path) -> str:
    """``("zone_fares", 2, "amount")`` -> ``"zone_fares[2].amount"``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(package)"


def line_of(source_map: dict[str, Any], path: Path) -> int:
    """1-based line of the field, or of its nearest enclosing value when the field is missing."""
    for depth in range(len(path), -1, -1):
        entry = source_map.get("".join(f"/{step}" for step in path[:depth]))
        if entry is not None:
            location = entry.key_start or entry.value_start
            return int(location.line) + 1
    return 1


def native_format_version(text: str) -> int | None:
    """The package's ``format_version`` if it can be read, to pick the validator; None otherwise."""
    try:
        data = load_json(text, DEFAULT_LIMITS)
    except (json.JSONDecodeError, ValueError, ValidationFailed):
        return None
    version = data.get("format_version") if isinstance(data, dict) else None
    return version if isinstance(version, int) else None


def parse_json(text: str, filename: str) -> Any:
    """JSON with exact decimals, within the input limits (depth, digits); a syntax error names its line."""
    try:
        return load_json(text, DEFAULT_LIMITS, filename, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"{filename} is not valid JSON",
            details=[{"file": filename, "line": exc.lineno, "field": None, "message": exc.msg}],
        ) from None
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            f"{filename} is not valid JSON",
            details=[{"file": filename, "line": None, "field": None, "message": str(exc)}],
        ) from None


def load_native_package(text: str, filename: str) -> dict[str, Any]:
    """Parse and validate a package; raise ``ValidationFailed`` listing every problem."""
    raw = parse_json(text, filename)
    if not isinstance(raw, dict):
        raise ValidationFailed(
            f"{filename}: a tariff package is a JSON object",
            details=[{"file": filename, "line": 1, "field": None, "message": "expected an object"}],
        )
    raw = _decimals_to_strings(raw)
    try:
        data = NativeTariffSchema().load(raw)
    except ValidationError as exc:
        source_map = calculate_source_map(text)
        problems = [
            {"file": filename, "line": line_of(source_map, path), "field": field_name(path), "message": message}
            for path, message in _flatten(exc.messages)
        ]
        raise ValidationFailed(f"{filename}: {len(problems)} problem(s) in the tariff package",
                               details=problems) from None
    data["valid_from"] = data["valid_from"].isoformat()
    data["valid_to"] = data["valid_to"].isoformat() if data["valid_to"] else None
    return data


def _decimals_to_strings(value: Any) -> Any:
    """Amounts may be written as JSON numbers; keep them exact as strings."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _decimals_to_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals_to_strings(v) for v in value]
    return value
