"""Passes (day, week, month), the journeys they cover, and monthly subscriptions.

Owners: a pass bought with a user token belongs to that user; one bought
without belongs to whoever holds the ``access_token`` the purchase returned
(use it as Bearer). Subscriptions need a passenger token. Admins may read and
cancel everything.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint

from core.db import utcnow
from core.errors import Forbidden, Unauthorized
from ticketing.models import Payment
from ticketing.pass_models import PassHolding, Subscription
from ticketing.pass_products import pass_catalog
from ticketing.passes import BuyPass, CardPayment, buy_pass, get_pass, issue_covered_ticket, pass_accessible
from ticketing.payment_providers import sandbox_provider
from ticketing.subscriptions import (
    StartSubscription,
    cancel_subscription,
    current_pass,
    get_subscription,
    start_subscription,
)
from webapp.auth import current_principal, require_role
from webapp.extensions import runtime, signer
from webapp.idempotency import idempotent
from webapp.relay import relay_now
from webapp.requests import json_body
from webapp.schemas.itinerary import ride_legs
from webapp.schemas.orders import payment_json
from webapp.schemas.passes import (
    PassPurchaseSchema,
    SubscriptionRequestSchema,
    TripRequestSchema,
    pass_json,
    product_json,
    subscription_json,
    trip_json,
)

log = logging.getLogger(__name__)
bp = Blueprint("passes", __name__)


def _check_pass_owner(holding: PassHolding) -> None:
    principal = current_principal()
    if principal.is_admin or pass_accessible(holding, principal.bearer, current_principal().user_id):
        return
    raise Forbidden("this pass belongs to someone else: use the token you bought it with as Bearer token")


def _check_subscription_owner(subscription: Subscription) -> None:
    principal = current_principal()
    if principal.role is None:
        raise Unauthorized("this needs the subscriber's API token: Authorization: Bearer TOKEN")
    if principal.is_admin or subscription.owner_user_id == current_principal().user_id:
        return
    raise Forbidden("this subscription belongs to another passenger")


def _payment(body: dict[str, Any]) -> CardPayment:
    return CardPayment(body["payment"]["method"], body["payment"]["card_token"])


@bp.get("/passes/products")
def products() -> dict[str, Any]:
    with runtime().session_factory() as session:
        catalog = pass_catalog(session)
    return {"tariff_version_id": catalog.tariff_version_id, "currency": catalog.currency,
            "products": [product_json(catalog, product) for product in catalog.products]}


@bp.post("/passes")
@idempotent
def buy() -> tuple[dict[str, Any], int]:
    body = PassPurchaseSchema().load(json_body())
    rt = runtime()
    cmd = BuyPass(body["pass_product_id"], body["rider_category"], body["start_date"], _payment(body),
                  current_principal().user_id, body["email"])
    holding, access_token = buy_pass(rt.uow(), cmd, utcnow(), sandbox_provider())
    relay_now()
    with rt.session_factory() as session:
        payment = session.get(Payment, holding.payment_id)
        assert payment is not None
        answer = {**pass_json(holding), "payment": payment_json(payment)}
    if access_token is not None:
        answer["access_token"] = access_token
    return answer, 201


@bp.get("/passes/<pass_id>")
def show(pass_id: str) -> dict[str, Any]:
    with runtime().session_factory() as session:
        holding = get_pass(session, pass_id)
        _check_pass_owner(holding)
        return pass_json(holding)


@bp.post("/passes/<pass_id>/trips")
@idempotent
def trip(pass_id: str) -> tuple[dict[str, Any], int]:
    body = TripRequestSchema().load(json_body())
    rt = runtime()
    with rt.session_factory() as session:
        holding = get_pass(session, pass_id)
        _check_pass_owner(holding)
    covered = issue_covered_ticket(rt.uow(), pass_id, ride_legs(body["legs"], rt.settings.timezone), utcnow(),
                                   signer())
    return {"ticket": trip_json(covered, holding)}, 201


@bp.post("/subscriptions")
@require_role("passenger")
@idempotent
def subscribe() -> tuple[dict[str, Any], int]:
    body = SubscriptionRequestSchema().load(json_body())
    user_id = current_principal().user_id
    assert user_id is not None  # require_role found the user
    rt = runtime()
    cmd = StartSubscription(user_id, body["pass_product_id"], body["rider_category"], body["start_date"],
                            _payment(body))
    subscription, holding = start_subscription(rt.uow(), cmd, utcnow(), sandbox_provider())
    relay_now()
    return subscription_json(subscription, holding), 201


@bp.get("/subscriptions/<subscription_id>")
def show_subscription(subscription_id: str) -> dict[str, Any]:
    with runtime().session_factory() as session:
        subscription = get_subscription(session, subscription_id)
        _check_subscription_owner(subscription)
        return subscription_json(subscription, current_pass(session, subscription))


@bp.post("/subscriptions/<subscription_id>/cancel")
@idempotent
def cancel(subscription_id: str) -> dict[str, Any]:
    rt = runtime()
    with rt.session_factory() as session:
        _check_subscription_owner(get_subscription(session, subscription_id))
    cancel_subscription(rt.uow(), subscription_id, utcnow())
    with rt.session_factory() as session:
        subscription = get_subscription(session, subscription_id)
        return subscription_json(subscription, current_pass(session, subscription))
