from __future__ import annotations

from marshmallow import Schema, fields, validate

from ticketing.refunds import MAX_REASON
from webapp.schemas.fields import Amount, Timestamp
from webapp.schemas.response import ResponseSchema


class RefundRequestSchema(Schema):
    amount = fields.String(load_default=None, allow_none=True,
                           validate=validate.Regexp(r"^\d{1,9}(\.\d{1,3})?$", error="not an amount like 1.50"),
                           metadata={"description": "what to refund; without it, all that is left"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_REASON))


class RefundSchema(ResponseSchema):
    id = fields.String(required=True)
    ticket_id = fields.String(required=True)
    order_id = fields.String(required=True)
    amount = Amount(required=True)
    amount_minor = fields.Integer(required=True)
    fee = Amount(required=True)
    fee_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    payment_method = fields.String(required=True)
    reason = fields.String(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    ticket_status = fields.String(required=True)
    refundable = Amount(required=True, metadata={"description": "what can still be refunded"})
    refundable_minor = fields.Integer(required=True)
