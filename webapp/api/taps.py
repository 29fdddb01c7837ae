"""Pay-as-you-go: tap batches from validators, accounts, day statements and the charge runs."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from core.db import utcnow
from core.errors import ValidationFailed
from payg.models import PaygAccount, PaygCharge
from payg.services import OpenAccount, charge_day, correct_late_taps, day_charges, get_account, ingest, open_account
from ticketing.payment_providers import sandbox_provider
from webapp.api.openapi import BEARER, ApiBlueprint
from webapp.auth import require_role
from webapp.extensions import runtime
from webapp.relay import relay_now
from webapp.schemas.money import money_json
from webapp.schemas.payg import (
    AccountSchema,
    ChargeRunRequestSchema,
    ChargeRunSchema,
    DaySchema,
    IngestResultSchema,
    OpenAccountSchema,
    TapBatchSchema,
)

bp = ApiBlueprint("taps", __name__, description="Pay-as-you-go: taps, accounts, daily charges with caps")


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{field} must be a date like 2026-11-24", details=[{"field": field}]) from None


def account_json(account: PaygAccount) -> dict[str, Any]:
    return {"id": account.id, "rider_category": account.rider_category, "currency": account.currency,
            "payment_method": account.payment_method, "wallet_id": account.wallet_id,
            "created_at": account.created_at.isoformat()}


def charge_json(charge: PaygCharge) -> dict[str, Any]:
    return {"id": charge.id, "sequence": charge.sequence, "kind": charge.kind, "status": charge.status,
            **money_json(charge.amount_minor, charge.currency), "currency": charge.currency,
            **money_json(charge.day_total_minor, charge.currency, "day_total"),
            **money_json(charge.uncapped_minor, charge.currency, "fares_total"),
            "payment_method": charge.payment_method, "decline_reason": charge.decline_reason,
            "created_at": charge.created_at.isoformat(), "statement": charge.statement}


@bp.post("/taps")
@bp.doc(security=BEARER)
@require_role("admin", "operator")
@bp.arguments(TapBatchSchema)
@bp.response(200, IngestResultSchema)
def post_taps(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A batch of taps: each is kept once or refused with its reasons; the rest of the batch is kept."""
    rt = runtime()
    return ingest(rt.uow(), body["taps"], rt.settings, utcnow()).to_json(), 200


@bp.post("/payg/accounts")
@bp.doc(security=BEARER)
@require_role("admin")
@bp.arguments(OpenAccountSchema)
@bp.response(201, AccountSchema)
def post_account(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    cmd = OpenAccount(body["account_id"], body["rider_category"], body["payment_method"],
                      body["card_token"], body["wallet_id"])
    return account_json(open_account(runtime().uow(), cmd, utcnow())), 201


@bp.get("/payg/accounts/<account_id>")
@bp.doc(security=BEARER)
@require_role("admin")
@bp.response(200, AccountSchema)
def get_account_view(account_id: str) -> dict[str, Any]:
    with runtime().session_factory() as session:
        return account_json(get_account(session, account_id))


@bp.get("/payg/accounts/<account_id>/days/<day>")
@bp.doc(security=BEARER)
@require_role("admin")
@bp.response(200, DaySchema)
def get_day(account_id: str, day: str) -> dict[str, Any]:
    """The day's charge and adjustments, each with the statement it was charged on."""
    service_date = _date(day, "day")
    with runtime().session_factory() as session:
        charges = day_charges(session, account_id, service_date)
    paid = sum(c.amount_minor for c in charges if c.status != "declined")
    currency = charges[0].currency if charges else None
    return {"account_id": account_id, "service_date": service_date.isoformat(),
            **(money_json(paid, currency, "paid") if currency else {"paid": None}),
            "charges": [charge_json(c) for c in charges]}


@bp.post("/payg/charge-runs")
@bp.doc(security=BEARER)
@require_role("admin")
@bp.arguments(ChargeRunRequestSchema)
@bp.response(200, ChargeRunSchema)
def post_charge_run(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """``{"service_date": "2026-11-24"}`` charges that day (default: yesterday); ``{"corrections": true}``
    adjusts the days that late taps changed."""
    rt = runtime()
    now = utcnow()
    if body["corrections"]:
        run = correct_late_taps(rt.uow(), sandbox_provider(), rt.settings, now, now.date())
    else:
        day = body["service_date"] or now.date() - timedelta(days=1)
        run = charge_day(rt.uow(), day, sandbox_provider(), rt.settings, now)
    relay_now()
    return run.to_json(), 200
