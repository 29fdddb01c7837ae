"""Settlements, the operator ledger and reconciliation."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from clearing.periods import PERIOD_PATTERN
from clearing.statements.operator_ledger import MAX_PAGE_SIZE
from webapp.schemas.fields import CURRENCY_CODE, MAX_ID, Amount, Timestamp
from webapp.schemas.response import ResponseSchema

# clearing.periods.parse_period checks periods (with its own error); the same pattern is in the document
PERIOD = {"pattern": PERIOD_PATTERN, "example": "2026-11"}


class SettlementRequestSchema(Schema):
    period = fields.String(required=True, metadata=PERIOD)
    operators = fields.List(fields.String(validate=validate.Length(min=1, max=64)), load_default=None,
                            allow_none=True, metadata={"description": "only these operators (default: all)"})


class SettlementSchema(ResponseSchema):
    id = fields.Integer(required=True)
    period = fields.String(required=True)
    operator_id = fields.String(required=True)
    total = Amount(required=True)
    total_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    sales_count = fields.Integer(required=True)
    created_at = Timestamp(required=True)
    csv_url = fields.String(required=True)
    pdf_url = fields.String(required=True)
    payout_url = fields.String(required=True)


class SettlementsSchema(ResponseSchema):
    settlements = fields.List(fields.Nested(SettlementSchema), required=True)


class LedgerQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_ID))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class LedgerAccountSchema(ResponseSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    currency = fields.String(required=True)
    balance = Amount(required=True)
    balance_minor = fields.Integer(required=True)


class LedgerEntrySchema(ResponseSchema):
    id = fields.Integer(required=True)
    account = fields.String(required=True)
    reference = fields.String(required=True, allow_none=True)
    description = fields.String(required=True, allow_none=True)
    occurred_at = Timestamp(required=True)
    currency = fields.String(required=True)
    amount = Amount(required=True)
    amount_minor = fields.Integer(required=True)


class OperatorLedgerSchema(ResponseSchema):
    operator_id = fields.String(required=True)
    accounts = fields.List(fields.Nested(LedgerAccountSchema), required=True)
    entries = fields.List(fields.Nested(LedgerEntrySchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total_entries = fields.Integer(required=True)


class ReconciliationQuerySchema(Schema):
    period = fields.String(load_default=None, metadata={**PERIOD, "description": "default: this month"})
    currency = fields.String(load_default=None, validate=CURRENCY_CODE,
                             metadata={"description": "default: the active tariff's"})


class ReconciliationSchema(ResponseSchema):
    """Money in equals money distributed: ``difference`` must be 0."""

    period = fields.String(required=True)
    currency = fields.String(required=True)
    payments = Amount(required=True)
    payments_minor = fields.Integer(required=True)
    refunds = Amount(required=True)
    refunds_minor = fields.Integer(required=True)
    operator_shares = Amount(required=True)
    operator_shares_minor = fields.Integer(required=True)
    reversed_shares = Amount(required=True)
    reversed_shares_minor = fields.Integer(required=True)
    commissions = Amount(required=True)
    commissions_minor = fields.Integer(required=True)
    fees = Amount(required=True)
    fees_minor = fields.Integer(required=True)
    difference = Amount(required=True)
    difference_minor = fields.Integer(required=True)
    ledger_balanced = fields.Boolean(required=True)
    pending_events = fields.Integer(required=True)
