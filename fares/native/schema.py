"""Validation of native tariff packages (marshmallow).

Every problem becomes ``{"file", "line", "field", "message"}``. JSON syntax
errors carry the line; schema errors carry the JSON path of the field.
"""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.errors import ValidationFailed
from core.money import Money, is_currency_code

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

    @validates_schema
    def _cross_checks(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, Any] = {}
        categories = data.get("rider_categories") or []
        ids = [c["id"] for c in categories]
        if len(set(ids)) != len(ids):
            errors["rider_categories"] = ["rider category ids must be unique"]
        elif sum(1 for c in categories if c["is_default"]) != 1:
            errors["rider_categories"] = ["exactly one rider category must be the default (is_default: true)"]
        zones = [row["zones"] for row in data.get("zone_fares") or []]
        if zones and sorted(zones) != list(range(1, len(zones) + 1)):
            # a dict, so that per-row amount errors below can join it
            errors["zone_fares"] = {"_schema": ["zone counts must be 1, 2, ... without gaps or repeats"]}
        currency = data.get("currency")
        if currency and is_currency_code(currency):
            for index, row in enumerate(data.get("zone_fares") or []):
                try:
                    Money.parse(row["amount"], currency)
                except ValueError as exc:
                    errors.setdefault("zone_fares", {})[index] = {"amount": [str(exc)]}
        if data.get("valid_to") and data.get("valid_from") and data["valid_to"] < data["valid_from"]:
            errors["valid_to"] = ["valid_to is before valid_from"]
        if errors:
            raise ValidationError(errors)


def _flatten(messages: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(messages, dict):
        out: list[tuple[str, str]] = []
        for key, value in messages.items():
            step = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))
            if key == "_schema":
                step = path or "(package)"
            out.extend(_flatten(value, step))
        return out
    if isinstance(messages, list):
        return [(path, str(m)) for m in messages if not isinstance(m, (dict, list))] + [
            item for m in messages if isinstance(m, (dict, list)) for item in _flatten(m, path)
        ]
    return [(path, str(messages))]


def load_native_package(text: str, filename: str) -> dict[str, Any]:
    """Parse and validate a package; raise ``ValidationFailed`` listing every problem."""
    try:
        raw = json.loads(text, parse_float=Decimal)
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
    if not isinstance(raw, dict):
        raise ValidationFailed(
            f"{filename}: a tariff package is a JSON object",
            details=[{"file": filename, "line": 1, "field": None, "message": "expected an object"}],
        )
    raw = _decimals_to_strings(raw)
    try:
        data = NativeTariffSchema().load(raw)
    except ValidationError as exc:
        problems = [
            {"file": filename, "line": None, "field": field, "message": message}
            for field, message in _flatten(exc.messages)
        ]
        raise ValidationFailed(f"{filename}: {len(problems)} problem(s) in the tariff package", details=problems) from None
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
