"""Health, stops and operators."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from webapp.schemas.response import ResponseSchema


class HealthSchema(ResponseSchema):
    status = fields.String(required=True, validate=validate.OneOf(["ok", "degraded"]))
    database = fields.String(required=True, metadata={"description": "`ok` or `unreachable: ...`"})
    broker = fields.String(required=True)
    pending_events = fields.Integer(required=True, allow_none=True)


class StopQuerySchema(Schema):
    q = fields.String(load_default="", metadata={"description": "part of the stop's name or id"})


class StopSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    lat = fields.Float(required=True, allow_none=True)
    lon = fields.Float(required=True, allow_none=True)
    zone_id = fields.String(required=True, allow_none=True)
    town = fields.String(required=True, allow_none=True)


class StopsSchema(ResponseSchema):
    stops = fields.List(fields.Nested(StopSchema), required=True)


class OperatorSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    mode = fields.String(required=True)


class OperatorsSchema(ResponseSchema):
    operators = fields.List(fields.Nested(OperatorSchema), required=True)
