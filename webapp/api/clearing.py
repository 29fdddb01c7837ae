"""Settlements, statements and reconciliation."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from clearing.models import Settlement
from clearing.payouts import build_pain001, payout_lines
from clearing.periods import parse_period
from clearing.reconciliation import reconcile
from clearing.settlement import get_settlement, settle_period, settlements_of, statement_file_name
from clearing.statements.data import statement_of
from clearing.statements.operator_ledger import operator_ledger
from clearing.statements.pdf import render_statement_pdf
from core.db import utcnow
from core.errors import ValidationFailed
from core.outbox import pending_count
from fares.services import active_currency
from payg.services import payg_money
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
        "pdf_url": f"/api/v1/settlements/{settlement.id}.pdf",
        "payout_url": f"/api/v1/settlements/{settlement.id}/payout.xml",
    }


def _attachment(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                      "Cache-Control": "private, no-store"})


def _int_arg(name: str, default: int) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValidationFailed(f"{name} must be a whole number, not {text!r}", details=[{"field": name}]) from None


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


@bp.get("/settlements/<int:settlement_id>.pdf")
def statement_pdf(settlement_id: int) -> Response:
    """Rendered on request from the shares the settlement took (nothing else is stored)."""
    with runtime().session_factory() as session:
        settlement = get_settlement(session, settlement_id)
        require_operator_access(settlement.operator_id)
        body = render_statement_pdf(statement_of(session, settlement))
        return _attachment(body, "application/pdf", statement_file_name(settlement, "pdf"))


@bp.get("/settlements/<int:settlement_id>/payout.xml")
def payout_xml(settlement_id: int) -> Response:
    """The settlement's payout as a pain.001 with its one transfer (422 when there is nothing to pay)."""
    now = utcnow()
    with runtime().session_factory() as session:
        settlement = get_settlement(session, settlement_id)
        require_operator_access(settlement.operator_id)
        lines = payout_lines(session, [settlement])
        body = build_pain001(lines, now.date(), f"FB-{settlement.period}-S{settlement.id}", now)
        filename = f"payout_{settlement.operator_id}_{settlement.period}.xml"
        return _attachment(body, "application/xml", filename)


@bp.get("/operators/<operator_id>/ledger")
def ledger_of_operator(operator_id: str) -> dict[str, Any]:
    require_operator_access(operator_id)
    page, per_page = _int_arg("page", 1), _int_arg("per_page", 50)
    with runtime().session_factory() as session:
        view = operator_ledger(session, operator_id, page, per_page)
    return {
        "operator_id": view.operator_id,
        "accounts": [{"code": a.code, "name": a.name, "currency": a.currency,
                      **money_json(a.balance_minor, a.currency, "balance")} for a in view.accounts],
        "entries": [{"id": e.id, "account": e.account_code, "reference": e.reference, "description": e.description,
                     "occurred_at": e.occurred_at.isoformat(), "currency": e.currency,
                     **money_json(e.amount_minor, e.currency, "amount")} for e in view.entries],
        "page": view.page, "per_page": view.page_size, "total_entries": view.total_entries,
    }


@bp.get("/clearing/reconciliation")
@require_role("admin")
def reconciliation() -> dict[str, Any]:
    period = request.args.get("period") or utcnow().strftime("%Y-%m")
    start, end = parse_period(period)
    currency = request.args.get("currency") or default_currency()
    with runtime().session_factory() as session:
        payg_collected, payg_given_back = payg_money(session, start, end, currency)
        payments = captured_total(session, start, end, currency) + payg_collected
        refunds = refunded_total(session, start, end, currency) + payg_given_back
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
