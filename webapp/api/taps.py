"""Pay-as-you-go: tap batches from validators, accounts, day statements and the charge runs."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint

from core.db import utcnow
from core.errors import ValidationFailed
from payg.models import PaygAccount, PaygCharge
from payg.services import OpenAccount, charge_day, correct_late_taps, day_charges, get_account, ingest, open_account
from ticketing.payment_providers import sandbox_provider
from webapp.auth import require_role
from webapp.extensions import runtime
from webapp.relay import relay_now
from webapp.requests import json_body
from webapp.schemas.money import money_json

bp = Blueprint("taps", __name__)


def _date(value: Any, field: str) -> date:
    try:
        if isinstance(value, str):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ValidationFailed(f"{field} must be a date like 2026-11-24", details=[{"field": field}])


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
@require_role("admin", "operator")
def post_taps() -> tuple[dict[str, Any], int]:
    """A batch of taps: each is kept once or refused with its reasons; the rest of the batch is kept."""
    body = json_body()
    taps = body.get("taps")
    if not isinstance(taps, list):
        raise ValidationFailed("taps must be a list of tap objects", details=[{"field": "taps"}])
    rt = runtime()
    return ingest(rt.uow(), taps, rt.settings, utcnow()).to_json(), 200


@bp.post("/payg/accounts")
@require_role("admin")
def post_account() -> tuple[dict[str, Any], int]:
    body = json_body()
    for name in ("account_id", "payment_method"):
        if not isinstance(body.get(name), str):
            raise ValidationFailed(f"{name} is required", details=[{"field": name}])
    for name in ("rider_category", "card_token", "wallet_id"):
        if body.get(name) is not None and not isinstance(body.get(name), str):
            raise ValidationFailed(f"{name} must be a string", details=[{"field": name}])
    cmd = OpenAccount(body["account_id"], body.get("rider_category"), body["payment_method"],
                      body.get("card_token"), body.get("wallet_id"))
    return account_json(open_account(runtime().uow(), cmd, utcnow())), 201


@bp.get("/payg/accounts/<account_id>")
@require_role("admin")
def get_account_view(account_id: str) -> dict[str, Any]:
    with runtime().session_factory() as session:
        return account_json(get_account(session, account_id))


@bp.get("/payg/accounts/<account_id>/days/<day>")
@require_role("admin")
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
@require_role("admin")
def post_charge_run() -> tuple[dict[str, Any], int]:
    """``{"service_date": "2026-11-24"}`` charges that day; ``{"corrections": true}`` adjusts late taps."""
    body = json_body()
    rt = runtime()
    now = utcnow()
    if body.get("corrections") is True:
        run = correct_late_taps(rt.uow(), sandbox_provider(), rt.settings, now, now.date())
    else:
        day = _date(body.get("service_date"), "service_date") if "service_date" in body else \
            now.date() - timedelta(days=1)
        run = charge_day(rt.uow(), day, sandbox_provider(), rt.settings, now)
    relay_now()
    return run.to_json(), 200
