"""The whole package and its cross-references (ids, time bands, categories, amounts)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.money import Money, is_currency_code
from fares.native.v2.schema.fields import (
    AMOUNT_KEYS,
    FORMAT,
    FORMAT_VERSION,
    IsoDate,
    LocalTime,
    Path,
    check_currency_code,
    check_timezone,
)
from fares.native.v2.schema.parts import (
    ApportionmentSchema,
    CapSchema,
    PassSchema,
    ProductSchema,
    RefundPolicySchema,
    RiderCategorySchema,
    ThroughFareSchema,
    TimeBandSchema,
    TransferSchema,
)


class NativeTariffV2Schema(Schema):
    format = fields.String(required=True, validate=validate.Equal(FORMAT))
    format_version = fields.Integer(required=True, strict=True, validate=validate.Equal(FORMAT_VERSION))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    currency = fields.String(required=True, validate=check_currency_code)
    timezone = fields.String(required=True, validate=check_timezone)
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
