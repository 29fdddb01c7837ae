"""Settlements, statements and reconciliation."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from clearing.models import Settlement
from clearing.periods import parse_period
from clearing.reconciliation import reconcile
from clearing.settlement import get_settlement, settle_period, settlements_of
from core.db import utcnow
from core.errors import ValidationFailed
from core.outbox import pending_count
from fares.services import active_currency
from ticketing.refunds import refunded_total
from ticketing.services import captured_total
from webapp.auth import require_operator_access, require_role
from webapp.extensions import runtime
from webapp.requests import json_body
from webapp.schemas.money import money_json

bp = Blueprint("clearing", __name__)


def settlement_json(settlement: Settlement) -> dict[str, Any]:
    return {
        "id": settlement.id, "period": settlement.period, "operator_id": settlement.operator_id,
        **money_json(settlement.total_minor, settlement.currency, "total"), "currency": settlement.currency,
        "sales_count": settlement.sales_count, "created_at": settlement.created_at.isoformat(),
        "csv_url": f"/api/v1/settlements/{settlement.id}.csv",
    }


def default_currency() -> str:
    with runtime().session_factory() as session:
        return active_currency(session)


@bp.post("/settlements")
@require_role("admin")
def create() -> tuple[dict[str, Any], int]:
    body = json_body()
    period = body.get("period")
    if not isinstance(period, str):
        raise ValidationFailed("period is required, like 2026-11", details=[{"field": "period"}])
    operator_ids = body.get("operators")
    settlements = settle_period(runtime().uow(), period, operator_ids, default_currency(), utcnow())
    return {"settlements": [settlement_json(s) for s in settlements]}, 201


@bp.get("/operators/<operator_id>/settlements")
def of_operator(operator_id: str) -> dict[str, Any]:
    require_operator_access(operator_id)
    with runtime().session_factory() as session:
        return {"settlements": [settlement_json(s) for s in settlements_of(session, operator_id)]}


@bp.get("/settlements/<int:settlement_id>.csv")
def statement_csv(settlement_id: int) -> Response:
    with runtime().session_factory() as session:
        settlement = get_settlement(session, settlement_id)
        require_operator_access(settlement.operator_id)
        filename = f"statement_{settlement.operator_id}_{settlement.period}.csv"
        return Response(settlement.statement_csv, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/clearing/reconciliation")
@require_role("admin")
def reconciliation() -> dict[str, Any]:
    period = request.args.get("period") or utcnow().strftime("%Y-%m")
    start, end = parse_period(period)
    currency = request.args.get("currency") or default_currency()
    with runtime().session_factory() as session:
        payments = captured_total(session, start, end, currency)
        refunds = refunded_total(session, start, end, currency)
        result = reconcile(session, period, currency, payments, refunds)
        pending = pending_count(session)
    return {
        "period": period,
        "currency": currency,
        **money_json(result.payments_minor, currency, "payments"),
        **money_json(result.refunds_minor, currency, "refunds"),
        **money_json(result.operator_shares_minor, currency, "operator_shares"),
        **money_json(result.reversed_shares_minor, currency, "reversed_shares"),
        **money_json(result.commissions_minor, currency, "commissions"),
        **money_json(result.fees_minor, currency, "fees"),
        **money_json(result.difference_minor, currency, "difference"),
        "ledger_balanced": result.ledger_total_minor == 0,
        "pending_events": pending,
    }
