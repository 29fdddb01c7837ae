"""The error body every 4xx/5xx answer has (``webapp/errors.py`` writes it)."""
from __future__ import annotations

from marshmallow import Schema, fields


class ErrorSchema(Schema):
    code = fields.String(required=True, metadata={"description": "machine-readable, e.g. `not_found`"})
    message = fields.String(required=True)
    details = fields.Raw(allow_none=True, metadata={"description": "what was wrong, often `[{field, message}]`"})


class TariffErrorSchema(Schema):
    file = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    field = fields.String(allow_none=True)
    message = fields.String(allow_none=True)


class ErrorResponseSchema(Schema):
    error = fields.Nested(ErrorSchema, required=True)
    errors = fields.List(fields.Nested(TariffErrorSchema),
                         metadata={"description": "a refused tariff upload: every problem with file, line, field"})
