"""Products, through fares, transfers, discounts, rider categories, caps, passes, refunds."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from fares.native.v2.apportionment import FIXED_SHARES, METHODS, PER_LEG_FIXED_FEES, REMAINDER_METHODS
from fares.native.v2.model import REFUND_UNTIL, REFUND_UNTIL_VALIDITY_END
from fares.native.v2.schema.fares import FareField
from fares.native.v2.schema.fields import (
    MODES,
    Amount,
    LocalTime,
    Ratio,
    id_field,
    ids_field,
    minutes_field,
    require_one_of,
)
from fares.native.v2.timebands import DAYS, minutes


class ScopeSchema(Schema):
    operators = ids_field(load_default=None, validate=validate.Length(min=1))
    routes = ids_field(load_default=None, validate=validate.Length(min=1))
    modes = fields.List(fields.String(validate=validate.OneOf(MODES)), load_default=None,
                        validate=validate.Length(min=1))


class PeriodSchema(Schema):
    days = fields.List(fields.String(validate=validate.OneOf(DAYS)), required=True,
                       validate=validate.Length(min=1, max=7))
    start = LocalTime(required=True)
    end = LocalTime(required=True, allow_24=True)

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if len(set(data["days"])) != len(data["days"]):
            raise ValidationError({"days": ["a day is listed twice"]})
        if minutes(data["start"]) == minutes(data["end"]):
            raise ValidationError({"end": ["a period must not end where it starts (00:00 to 24:00 is all day)"]})


class TimeBandSchema(Schema):
    id = id_field(required=True)
    name = fields.String(load_default=None)
    periods = fields.List(fields.Nested(PeriodSchema), required=True, validate=validate.Length(min=1))


class BandAdjustmentSchema(Schema):
    band = id_field(required=True)
    multiplier = Ratio(load_default=None, allow_none=True)
    amount = Amount(load_default=None, allow_none=True)
    fare = FareField(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _exactly_one(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        require_one_of(original, ("multiplier", "amount", "fare"))


class CoverageSchema(Schema):
    max_transfers = fields.Integer(strict=True, allow_none=True, load_default=None,
                                   validate=validate.Range(min=0, max=20))
    window_minutes = minutes_field()
    allow_same_route = fields.Boolean(load_default=True)


class ApportionmentSchema(Schema):
    method = fields.String(load_default="standalone_fares", validate=validate.OneOf(METHODS))
    shares = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=200)),
                         values=Ratio(positive=True, maximum=Fraction(1)), load_default=None)
    fees = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=200)), values=Amount(),
                       load_default=None)
    remainder = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(REMAINDER_METHODS))
    reseller_commission = Ratio(load_default=None, allow_none=True, maximum=Fraction(1, 2))
    clearing_fee = Ratio(load_default=None, allow_none=True, maximum=Fraction(1, 2))

    @validates_schema(skip_on_field_errors=False)
    def _method_fields(self, data: dict[str, Any], **_: Any) -> None:
        method = data.get("method")
        errors: dict[str, list[str]] = {}
        if method == FIXED_SHARES:
            shares = data.get("shares")
            if not shares:
                errors["shares"] = ["fixed_shares needs shares: {operator id: share}"]
            elif sum(Fraction(Decimal(v)) for v in shares.values()) != 1:
                errors["shares"] = ["the shares must add up to exactly 1"]
        elif data.get("shares") is not None:
            errors["shares"] = ["shares belong to the fixed_shares method"]
        if method == PER_LEG_FIXED_FEES:
            if not data.get("fees"):
                errors["fees"] = ["per_leg_fixed_fees needs fees: {operator id: fee per leg}"]
        else:
            if data.get("fees") is not None:
                errors["fees"] = ["fees belong to the per_leg_fixed_fees method"]
            if data.get("remainder") is not None:
                errors["remainder"] = ["remainder belongs to the per_leg_fixed_fees method"]
        if errors:
            raise ValidationError(errors)


class ProductSchema(Schema):
    id = id_field(required=True)
    name = fields.String(load_default=None)
    scope = fields.Nested(ScopeSchema, required=True)
    fare = FareField(required=True)
    time_bands = fields.List(fields.Nested(BandAdjustmentSchema), load_default=list)
    transfers = fields.Nested(CoverageSchema, load_default=None, allow_none=True)
    apportionment = fields.Nested(ApportionmentSchema, load_default=None, allow_none=True)


class ThroughFareSchema(Schema):
    id = id_field(required=True)
    name = fields.String(load_default=None)
    sequence = fields.List(id_field(), required=True, validate=validate.Length(min=2, max=8))
    amount = Amount(required=True)
    window_minutes = minutes_field()
    allow_same_route = fields.Boolean(load_default=True)
    time_bands = fields.List(fields.Nested(BandAdjustmentSchema), load_default=list)
    apportionment = fields.Nested(ApportionmentSchema, load_default=None, allow_none=True)


class TransferPriceSchema(Schema):
    factor = Ratio(load_default=None, allow_none=True, maximum=Fraction(1))
    amount_off = Amount(load_default=None, allow_none=True)
    amount = Amount(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _exactly_one(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        require_one_of(original, ("factor", "amount_off", "amount"))


class TransferSchema(Schema):
    id = id_field(required=True)
    name = fields.String(load_default=None)
    from_products = fields.List(id_field(), required=True, validate=validate.Length(min=1))
    to_products = fields.List(id_field(), required=True, validate=validate.Length(min=1))
    window_minutes = minutes_field()
    allow_same_route = fields.Boolean(load_default=True)
    price = fields.Nested(TransferPriceSchema, required=True)


class DiscountSchema(Schema):
    factor = Ratio(load_default=None, allow_none=True, maximum=Fraction(1))
    amount_off = Amount(load_default=None, allow_none=True)
    fixed_amount = Amount(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _exactly_one(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        require_one_of(original, ("factor", "amount_off", "fixed_amount"))


class RiderCategorySchema(Schema):
    id = id_field(required=True)
    name = fields.String(load_default=None)
    is_default = fields.Boolean(load_default=False)
    discount = fields.Nested(DiscountSchema, load_default=None, allow_none=True)
    products = fields.List(id_field(), load_default=None, validate=validate.Length(min=1))


class CapSchema(Schema):
    id = id_field(required=True)
    name = fields.String(load_default=None)
    period = fields.String(required=True, validate=validate.OneOf(["day", "week"]))
    amount = Amount(required=True)
    operators = ids_field(load_default=None, validate=validate.Length(min=1))
    rider_categories = fields.List(id_field(), load_default=None, validate=validate.Length(min=1))


class PassSchema(Schema):
    id = id_field(required=True)
    name = fields.String(load_default=None)
    period = fields.String(required=True, validate=validate.OneOf(["day", "week", "month"]))
    calendar = fields.Boolean(load_default=True)
    amount = Amount(required=True)
    scope = fields.Nested(ScopeSchema, load_default=dict)
    zones = fields.List(fields.String(validate=validate.Length(min=1, max=64)), load_default=None,
                        validate=validate.Length(min=1))
    rider_categories = fields.List(id_field(), load_default=None, validate=validate.Length(min=1))


class RefundPolicySchema(Schema):
    """``refund_policy``: the fee a refund costs and until when a ticket can be refunded."""

    fee = Amount(load_default="0")
    fee_percent = Ratio(load_default="0", maximum=Fraction(100))
    max_fee = Amount(load_default=None, allow_none=True)
    allow_partial = fields.Boolean(load_default=True)
    until = fields.String(load_default=REFUND_UNTIL_VALIDITY_END, validate=validate.OneOf(REFUND_UNTIL))

    @validates_schema(skip_on_field_errors=False)
    def _max_fee(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("max_fee") is not None and "fee" in data and Decimal(data["max_fee"]) < Decimal(data["fee"]):
            raise ValidationError({"max_fee": ["max_fee is below the fixed fee"]})
