"""Prepaid wallets."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from webapp.schemas.fields import CURRENCY_CODE, Amount, Timestamp
from webapp.schemas.response import ResponseSchema


class OpenWalletSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY_CODE,
                             metadata={"description": "default: the active tariff's currency"})


class TopUpRequestSchema(Schema):
    amount = fields.String(required=True, validate=validate.Length(min=1, max=20),  # "20.00": never a float
                           metadata={"example": "20.00"})
    card_token = fields.String(required=True, validate=validate.Length(min=1, max=100),
                               metadata={"description": "sandbox: tok_ok, tok_declined, ..."})
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY_CODE)


class WalletSchema(ResponseSchema):
    id = fields.String(required=True)
    currency = fields.String(required=True)
    balance = Amount(required=True)
    balance_minor = fields.Integer(required=True)
    created_at = Timestamp(required=True)


class WalletEntrySchema(ResponseSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    amount = Amount(required=True)
    amount_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    reference = fields.String(required=True, allow_none=True)
    order_id = fields.String(required=True, allow_none=True)
    created_at = Timestamp(required=True)


class WalletWithEntriesSchema(WalletSchema):
    entries = fields.List(fields.Nested(WalletEntrySchema), required=True)


class TopUpSchema(ResponseSchema):
    id = fields.String(required=True)
    amount = Amount(required=True)
    amount_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    created_at = Timestamp(required=True)


class TopUpResultSchema(ResponseSchema):
    top_up = fields.Nested(TopUpSchema, required=True)
    wallet = fields.Nested(WalletSchema, required=True)
