"""Pay-as-you-go: tap batches, accounts, charge runs and day statements."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from payg.taps import MAX_BATCH
from webapp.schemas.fields import Amount, BoundedDate, Timestamp
from webapp.schemas.response import ResponseSchema

TAP_DESCRIPTION = (
    "A tap: device_id, event_id, account_id, kind (in or out), route_id, stop_id, tapped_at (ISO 8601 with "
    "an offset). Each tap is checked on its own: a bad one is refused with its reasons, the rest are kept."
)


class TapBatchSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    # items are any objects here: the domain refuses a bad tap one by one instead of failing the whole batch;
    # an item that is no object at all (a number, a list) is a malformed batch, refused as a whole (422)
    taps = fields.List(fields.Dict(metadata={"description": TAP_DESCRIPTION}), required=True,
                       validate=validate.Length(max=MAX_BATCH))


class TapRefusalSchema(ResponseSchema):
    index = fields.Integer(required=True)
    device_id = fields.Raw(required=True, allow_none=True)
    event_id = fields.Raw(required=True, allow_none=True)
    errors = fields.List(fields.Dict(keys=fields.String(), values=fields.String()), required=True)


class IngestResultSchema(ResponseSchema):
    accepted = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    rejected = fields.List(fields.Nested(TapRefusalSchema), required=True)


class OpenAccountSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    account_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    payment_method = fields.String(required=True, validate=validate.OneOf(["card", "wallet"]))
    rider_category = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    card_token = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    wallet_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))


class AccountSchema(ResponseSchema):
    id = fields.String(required=True)
    rider_category = fields.String(required=True, allow_none=True)
    currency = fields.String(required=True)
    payment_method = fields.String(required=True)
    wallet_id = fields.String(required=True, allow_none=True)
    created_at = Timestamp(required=True)


class ChargeSchema(ResponseSchema):
    id = fields.String(required=True)
    sequence = fields.Integer(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    amount = Amount(required=True)
    amount_minor = fields.Integer(required=True)
    day_total = Amount(required=True)
    day_total_minor = fields.Integer(required=True)
    fares_total = Amount(required=True, metadata={"description": "the day's fares before the caps"})
    fares_total_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    payment_method = fields.String(required=True)
    decline_reason = fields.String(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    statement = fields.Dict(required=True, metadata={"description": "each journey, its fare and the caps applied"})


class DaySchema(ResponseSchema):
    account_id = fields.String(required=True)
    service_date = fields.String(required=True)
    paid = Amount(required=True, allow_none=True)
    paid_minor = fields.Integer()
    charges = fields.List(fields.Nested(ChargeSchema), required=True)


class ChargeRunRequestSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    service_date = BoundedDate(load_default=None, allow_none=True,
                               metadata={"description": "default: yesterday"})
    corrections = fields.Boolean(load_default=False,
                                 metadata={"description": "true: adjust days that late taps changed"})


class ChargeRunSchema(ResponseSchema):
    accounts = fields.Integer(required=True)
    charged = fields.Integer(required=True)
    adjusted = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    declined = fields.Integer(required=True)
    collected_minor = fields.Integer(required=True)
    given_back_minor = fields.Integer(required=True)
