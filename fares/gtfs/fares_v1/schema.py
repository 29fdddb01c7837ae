"""Row schemas for fare_attributes.txt and fare_rules.txt (GTFS reference, "Fares v1").

Values stay strings here (an empty value is ``""``); ``loading`` turns them
into a ``FareAttribute``/``FareRule`` once the cross-references are checked.
Validators see the raw string: marshmallow runs them even on a value a field
turned into None, so optional columns validate ``""`` explicitly.
"""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from core.money import is_currency_code


def _currency_code(code: str) -> None:
    # marshmallow 4 ignores a validator's False return value: it has to raise.
    if not is_currency_code(code):
        raise ValidationError("not an ISO 4217 currency code like EUR")


def _id() -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, error="must not be empty"))


def _optional_id() -> fields.String:
    return fields.String(load_default="")


class _Row(Schema):
    class Meta:
        unknown = EXCLUDE


class FareAttributeSchema(_Row):
    fare_id = _id()
    # "Non-negative float": plain decimal notation; the currency's decimals are checked by Money.parse.
    price = fields.String(required=True, validate=validate.Regexp(
        r"^(\d+(\.\d*)?|\.\d+)$", error="not a non-negative amount like 2.50"))
    currency_type = fields.String(required=True, validate=_currency_code)
    payment_method = fields.String(required=True, validate=validate.OneOf(
        ["0", "1"], error="must be 0 (paid on board) or 1 (paid before boarding)"))
    # Required column whose empty value means "unlimited transfers".
    transfers = fields.String(
        required=True,
        validate=validate.OneOf(["", "0", "1", "2"], error="must be 0, 1, 2 or empty (unlimited transfers)"),
        error_messages={"required": "the column is required; leave the value empty for unlimited transfers"},
    )
    agency_id = _optional_id()
    transfer_duration = fields.String(load_default="", validate=validate.Regexp(
        r"^(\d+)?$", error="not a non-negative whole number of seconds"))


class FareRuleSchema(_Row):
    fare_id = _id()
    route_id = _optional_id()
    origin_id = _optional_id()
    destination_id = _optional_id()
    contains_id = _optional_id()
