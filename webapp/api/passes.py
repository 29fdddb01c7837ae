"""Passes (day, week, month), the journeys they cover, and monthly subscriptions.

Owners: a pass bought with a user token belongs to that user; one bought
without belongs to whoever holds the ``access_token`` the purchase returned
(use it as Bearer). Subscriptions need a passenger token. Admins may read and
cancel everything.
"""
from __future__ import annotations

import logging
from typing import Any

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
from webapp.api.openapi import BEARER, BEARER_OPTIONAL, IDEMPOTENCY_KEY, ApiBlueprint
from webapp.auth import current_principal, require_role
from webapp.extensions import runtime, signer
from webapp.idempotency import idempotent
from webapp.relay import relay_now
from webapp.schemas.itinerary import ride_legs
from webapp.schemas.orders import payment_json
from webapp.schemas.passes import (
    BoughtPassSchema,
    PassProductsSchema,
    PassPurchaseSchema,
    PassSchema,
    PassTripResultSchema,
    SubscriptionRequestSchema,
    SubscriptionSchema,
    TripRequestSchema,
    pass_json,
    product_json,
    subscription_json,
    trip_json,
)

log = logging.getLogger(__name__)
bp = ApiBlueprint("passes", __name__, description="Day, week and month passes, the trips they cover, subscriptions")


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
@bp.response(200, PassProductsSchema)
def products() -> dict[str, Any]:
    with runtime().session_factory() as session:
        catalog = pass_catalog(session)
    return {"tariff_version_id": catalog.tariff_version_id, "currency": catalog.currency,
            "products": [product_json(catalog, product) for product in catalog.products]}


@bp.post("/passes")
@bp.doc(security=BEARER_OPTIONAL, parameters=[IDEMPOTENCY_KEY])
@idempotent
@bp.arguments(PassPurchaseSchema)
@bp.response(201, BoughtPassSchema)
def buy(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A pass for the caller, or for a guest (the answer's ``access_token`` then owns it)."""
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


@bp.get("/passes/<uuid_text:pass_id>")
@bp.doc(security=BEARER_OPTIONAL)
@bp.response(200, PassSchema)
def show(pass_id: str) -> dict[str, Any]:
    with runtime().session_factory() as session:
        holding = get_pass(session, pass_id)
        _check_pass_owner(holding)
        return pass_json(holding)


@bp.post("/passes/<uuid_text:pass_id>/trips")
@bp.doc(security=BEARER_OPTIONAL, parameters=[IDEMPOTENCY_KEY])
@idempotent
@bp.arguments(TripRequestSchema)
@bp.response(201, PassTripResultSchema)
def trip(body: dict[str, Any], pass_id: str) -> tuple[dict[str, Any], int]:
    """A signed ticket of price 0 for a journey the pass covers (422 says why not)."""
    rt = runtime()
    with rt.session_factory() as session:
        holding = get_pass(session, pass_id)
        _check_pass_owner(holding)
    covered = issue_covered_ticket(rt.uow(), pass_id, ride_legs(body["legs"], rt.settings.timezone), utcnow(),
                                   signer())
    return {"ticket": trip_json(covered, holding)}, 201


@bp.post("/subscriptions")
@bp.doc(security=BEARER, parameters=[IDEMPOTENCY_KEY])
@require_role("passenger")
@idempotent
@bp.arguments(SubscriptionRequestSchema)
@bp.response(201, SubscriptionSchema)
def subscribe(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A monthly pass renewed every month (``farebridge subscriptions renew``) until cancelled."""
    user_id = current_principal().user_id
    assert user_id is not None  # require_role found the user
    rt = runtime()
    cmd = StartSubscription(user_id, body["pass_product_id"], body["rider_category"], body["start_date"],
                            _payment(body))
    subscription, holding = start_subscription(rt.uow(), cmd, utcnow(), sandbox_provider())
    relay_now()
    return subscription_json(subscription, holding), 201


@bp.get("/subscriptions/<subscription_id>")
@bp.doc(security=BEARER)
@bp.response(200, SubscriptionSchema)
def show_subscription(subscription_id: str) -> dict[str, Any]:
    with runtime().session_factory() as session:
        subscription = get_subscription(session, subscription_id)
        _check_subscription_owner(subscription)
        return subscription_json(subscription, current_pass(session, subscription))


@bp.post("/subscriptions/<subscription_id>/cancel")
@bp.doc(security=BEARER, parameters=[IDEMPOTENCY_KEY])
@idempotent
@bp.response(200, SubscriptionSchema)
def cancel(subscription_id: str) -> dict[str, Any]:
    rt = runtime()
    with rt.session_factory() as session:
        _check_subscription_owner(get_subscription(session, subscription_id))
    cancel_subscription(rt.uow(), subscription_id, utcnow())
    with rt.session_factory() as session:
        subscription = get_subscription(session, subscription_id)
        return subscription_json(subscription, current_pass(session, subscription))
