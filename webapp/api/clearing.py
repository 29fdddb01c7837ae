"""Settlements, statements and reconciliation."""
from __future__ import annotations

from typing import Any

from flask import Response

from clearing.models import Settlement
from clearing.payouts import build_pain001, payout_lines
from clearing.periods import parse_period
from clearing.reconciliation import reconcile
from clearing.settlement import get_settlement, settle_period, settlements_of, statement_file_name
from clearing.statements.data import statement_of
from clearing.statements.operator_ledger import operator_ledger
from clearing.statements.pdf import render_statement_pdf
from core.db import utcnow
from core.outbox import pending_count
from fares.services import active_currency
from payg.services import payg_money
from ticketing.refunds import refunded_total
from ticketing.services import captured_total
from webapp.api.openapi import BEARER, ApiBlueprint, binary
from webapp.auth import require_operator_access, require_role
from webapp.extensions import runtime
from webapp.schemas.clearing import (
    LedgerQuerySchema,
    OperatorLedgerSchema,
    ReconciliationQuerySchema,
    ReconciliationSchema,
    SettlementRequestSchema,
    SettlementsSchema,
)
from webapp.schemas.fields import ID_CONVERTER
from webapp.schemas.money import money_json

bp = ApiBlueprint("clearing", __name__, description="Settlements, statements, operator ledgers, reconciliation")


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


def default_currency() -> str:
    with runtime().session_factory() as session:
        return active_currency(session)


@bp.post("/settlements")
@bp.doc(security=BEARER)
@require_role("admin")
@bp.arguments(SettlementRequestSchema)
@bp.response(201, SettlementsSchema)
def create(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Closes the period for each operator (409 when it is already settled)."""
    settlements = settle_period(runtime().uow(), body["period"], body["operators"], default_currency(), utcnow())
    return {"settlements": [settlement_json(s) for s in settlements]}, 201


@bp.get("/operators/<operator_id>/settlements")
@bp.doc(security=BEARER)
@bp.response(200, SettlementsSchema)
def of_operator(operator_id: str) -> dict[str, Any]:
    require_operator_access(operator_id)
    with runtime().session_factory() as session:
        return {"settlements": [settlement_json(s) for s in settlements_of(session, operator_id)]}


@bp.get(f"/settlements/<{ID_CONVERTER}:settlement_id>.csv")
@bp.doc(security=BEARER, responses={"200": binary("text/csv", "the statement as CSV")})
def statement_csv(settlement_id: int) -> Response:
    with runtime().session_factory() as session:
        settlement = get_settlement(session, settlement_id)
        require_operator_access(settlement.operator_id)
        filename = f"statement_{settlement.operator_id}_{settlement.period}.csv"
        return Response(settlement.statement_csv, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get(f"/settlements/<{ID_CONVERTER}:settlement_id>.pdf")
@bp.doc(security=BEARER, responses={"200": binary("application/pdf", "the statement with its daily revenue chart")})
def statement_pdf(settlement_id: int) -> Response:
    """Rendered on request from the shares the settlement took (nothing else is stored)."""
    with runtime().session_factory() as session:
        settlement = get_settlement(session, settlement_id)
        require_operator_access(settlement.operator_id)
        body = render_statement_pdf(statement_of(session, settlement))
        return _attachment(body, "application/pdf", statement_file_name(settlement, "pdf"))


@bp.get(f"/settlements/<{ID_CONVERTER}:settlement_id>/payout.xml")
@bp.doc(security=BEARER, responses={"200": binary("application/xml", "a SEPA credit transfer (pain.001)")})
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
@bp.doc(security=BEARER)
@bp.arguments(LedgerQuerySchema, location="query")
@bp.response(200, OperatorLedgerSchema)
def ledger_of_operator(query: dict[str, Any], operator_id: str) -> dict[str, Any]:
    """The operator's payable balance and its entries, newest first, page by page."""
    require_operator_access(operator_id)
    page, per_page = query["page"], query["per_page"]
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
@bp.doc(security=BEARER)
@require_role("admin")
@bp.arguments(ReconciliationQuerySchema, location="query")
@bp.response(200, ReconciliationSchema)
def reconciliation(query: dict[str, Any]) -> dict[str, Any]:
    """Payments, refunds, operator shares, commissions and fees of a month; ``difference`` must be 0."""
    period = query["period"] or utcnow().strftime("%Y-%m")
    start, end = parse_period(period)
    currency = query["currency"] or default_currency()
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
