from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields

from webapp.schemas.fields import Timestamp
from webapp.schemas.response import ResponseSchema


class TariffUploadSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    # not required here: a missing file is refused with the upload's own error list (file, line, field)
    file = Upload(load_default=None, metadata={"description": "required: a GTFS zip or a native package (.json)"})
    name = fields.String(load_default=None, metadata={"description": "a name for the version"})


class TariffSchema(ResponseSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    format = fields.String(required=True)
    status = fields.String(required=True)
    currency = fields.String(required=True)
    valid_from = fields.String(required=True, metadata={"format": "date"})
    valid_to = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    created_at = Timestamp(required=True)
    activated_at = Timestamp(required=True, allow_none=True)


class TariffsSchema(ResponseSchema):
    tariffs = fields.List(fields.Nested(TariffSchema), required=True)


class TariffDetailSchema(TariffSchema):
    content = fields.Dict(required=True, metadata={"description": "the stored tariff (a GTFS feed: its files)"})
