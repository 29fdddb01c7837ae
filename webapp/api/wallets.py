"""Prepaid wallets: a passenger opens one, tops it up by card, reads its balance and history.

Paying an order from the wallet goes through ``POST /orders/{id}/payment`` with
``{"method": "wallet", "wallet_id": ...}``.
"""
from __future__ import annotations

from typing import Any

from flask import request

from core.db import utcnow
from core.errors import Forbidden, Unauthorized, ValidationFailed
from core.money import Money
from fares.services import active_currency
from ticketing.payment_providers import sandbox_provider
from ticketing.wallets import Wallet, WalletEntry, get_wallet, history, open_wallet, top_up, top_up_id_for
from webapp.api.openapi import BEARER, IDEMPOTENCY_KEY_REQUIRED, ApiBlueprint
from webapp.auth import current_principal
from webapp.extensions import runtime
from webapp.idempotency import idempotent
from webapp.relay import relay_now
from webapp.schemas.money import money_json
from webapp.schemas.wallets import (
    OpenWalletSchema,
    TopUpRequestSchema,
    TopUpResultSchema,
    WalletSchema,
    WalletWithEntriesSchema,
)

bp = ApiBlueprint("wallets", __name__, description="Prepaid credit of passengers")


def wallet_json(wallet: Wallet) -> dict[str, Any]:
    return {"id": wallet.id, "currency": wallet.currency,
            **money_json(wallet.balance_minor, wallet.currency, "balance"), "created_at": wallet.created_at.isoformat()}


def entry_json(entry: WalletEntry, currency: str) -> dict[str, Any]:
    return {"id": entry.id, "kind": entry.kind, **money_json(entry.amount_minor, currency), "currency": currency,
            "reference": entry.reference, "order_id": entry.order_id, "created_at": entry.created_at.isoformat()}


def _passenger() -> int:
    principal = current_principal()
    if principal.role is None:
        raise Unauthorized("this needs a passenger's API token: Authorization: Bearer TOKEN")
    user_id = current_principal().passenger_id
    if user_id is None:
        raise Forbidden("wallets belong to passengers; use a passenger's token")
    return user_id


def _owned_wallet(wallet_id: str, allow_admin: bool = False) -> Wallet:
    """The wallet, if the caller owns it (or, to read it, is an admin)."""
    principal = current_principal()
    if principal.role is None:
        raise Unauthorized("this needs the wallet owner's API token: Authorization: Bearer TOKEN")
    with runtime().session_factory() as session:
        wallet = get_wallet(session, wallet_id)
    if wallet.owner_user_id == current_principal().passenger_id or (allow_admin and principal.is_admin):
        return wallet
    raise Forbidden("this wallet belongs to another passenger")


@bp.post("/wallets")
@bp.doc(security=BEARER)
@bp.arguments(OpenWalletSchema, required=False)
@bp.response(201, WalletSchema)
@bp.alt_response(200, schema=WalletSchema, description="the passenger's existing wallet")
def create(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Open the caller's wallet (in the active tariff's currency unless given); an existing one is 200."""
    owner = _passenger()
    currency = body["currency"]
    if currency is None:
        with runtime().session_factory() as session:
            currency = active_currency(session)
    wallet, opened = open_wallet(runtime().uow(), owner, currency, utcnow())
    return wallet_json(wallet), 201 if opened else 200


@bp.get("/wallets/<wallet_id>")
@bp.doc(security=BEARER)
@bp.response(200, WalletWithEntriesSchema)
def show(wallet_id: str) -> dict[str, Any]:
    wallet = _owned_wallet(wallet_id, allow_admin=True)
    with runtime().session_factory() as session:
        wallet = get_wallet(session, wallet.id)
        entries = history(session, wallet.id)
        return {**wallet_json(wallet), "entries": [entry_json(e, wallet.currency) for e in entries]}


@bp.post("/wallets/<wallet_id>/topups")
@bp.doc(security=BEARER, parameters=[IDEMPOTENCY_KEY_REQUIRED])
@idempotent
@bp.arguments(TopUpRequestSchema)
@bp.response(201, TopUpResultSchema)
def create_top_up(body: dict[str, Any], wallet_id: str) -> tuple[dict[str, Any], int]:
    """Card money into the wallet. The Idempotency-Key names the top-up, so a retry never charges twice."""
    key = request.headers.get("Idempotency-Key")
    if not key:
        raise ValidationFailed("a top-up needs an Idempotency-Key header (any unique string per top-up)",
                               details=[{"field": "Idempotency-Key", "message": "missing"}])
    wallet = _owned_wallet(wallet_id)
    if body["currency"] not in (None, wallet.currency):
        raise ValidationFailed(f"this wallet holds {wallet.currency}", details=[{"field": "currency"}])
    try:
        amount = Money.parse(body["amount"], wallet.currency)
    except ValueError as error:
        raise ValidationFailed(f"amount: {error}", details=[{"field": "amount", "message": str(error)}]) from None
    entry = top_up(runtime().uow(), wallet.id, amount, body["card_token"], sandbox_provider(), utcnow(),
                   reference=top_up_id_for(wallet.id, key))
    relay_now()
    with runtime().session_factory() as session:
        wallet = get_wallet(session, wallet.id)
    top_up_json = {"id": entry.reference, **money_json(entry.amount_minor, wallet.currency),
                   "currency": wallet.currency, "created_at": entry.created_at.isoformat()}
    return {"top_up": top_up_json, "wallet": wallet_json(wallet)}, 201
