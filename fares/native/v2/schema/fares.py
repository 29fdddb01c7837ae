"""The fare of a product: flat, zone count, zone matrix, distance."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from fares.native.v2.schema.fields import Amount, Ratio


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
