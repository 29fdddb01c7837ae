"""Selling one pass period: order, card capture, payment, holding and ``SalePaid``, in the caller's transaction.

A pass sale is an ``Order`` like a journey's (so payments, reconciliation and
the order endpoints see it) whose ``legs`` are the clearing weights rather
than rides; it is created ``paid`` (or ``declined``), never ``quoted``, so the
journey payment endpoint cannot pay it a second time and issue a ticket.

**Clearing rule for passes.** A pass is not a trip, so there are no standalone
fares of legs to weigh. Its amount is split **equally** among the operators
that run at least one route inside the pass's scope and zones (found on the
network at purchase, ordered by id): each operator's ``standalone_minor`` in
the ``SalePaid`` legs is its equal share of the amount (largest remainder, so
the shares add up), and clearing's split by those weights gives exactly these
shares. A day pass of all operators at 15.00 among five operators: 3.00 each.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.db import new_id
from core.errors import NoFareFound, PaymentDeclined
from core.money import Money, split_minor
from core.outbox import SALE_PAID, add_event
from core.unit_of_work import SqlUnitOfWork
from ticketing.models import CAPTURED, DECLINED, PAID, Order, Payment
from ticketing.pass_models import ACTIVE, PassHolding
from ticketing.pass_products import PassCatalog, PassProduct
from ticketing.pass_scope import operators_in_scope
from ticketing.payment_providers import PaymentProvider

CARD = "card"


@dataclass(frozen=True, slots=True)
class PassSale:
    product: PassProduct
    rider_category: str
    amount: Money
    valid_from: datetime
    valid_until: datetime
    owner_user_id: int | None
    owner_token_hash: str | None
    order_token_hash: str  # orders need an access token; a guest's is the pass's own
    email: str | None = None
    subscription_id: str | None = None


@dataclass(frozen=True, slots=True)
class Declined:
    order: Order
    reason: str | None


def clearing_legs(catalog: PassCatalog, sale: PassSale) -> list[dict[str, Any]]:
    """The order's legs: one per operator in scope, weighted by its equal share (module docstring)."""
    scope = sale.product.scope()
    operators = operators_in_scope(scope, catalog.network)
    if not operators:
        raise NoFareFound(f"no operator runs in the scope of pass {sale.product.id}", code="pass_without_operators")
    shares = split_minor(sale.amount.minor, [1] * len(operators))
    zones = sorted(scope.zones) if scope.zones is not None else []
    return [
        {"operator_id": operator_id, "route_id": None, "from_stop_id": None, "to_stop_id": None, "departure": None,
         "arrival": None, "zones": zones, "standalone_minor": share}
        for operator_id, share in zip(operators, shares, strict=True)
    ]


def _order(catalog: PassCatalog, sale: PassSale, now: datetime) -> Order:
    legs = clearing_legs(catalog, sale)
    product = sale.product.rule
    rules = [f"pass {product.id} ({product.name}) for {sale.rider_category}: {sale.amount}",
             "operator shares: the pass amount split equally among the operators in its scope (largest remainder)"]
    return Order(
        id=new_id(), status=PAID, email=sale.email, rider_category=sale.rider_category,
        currency=sale.amount.currency, total_minor=sale.amount.minor, legs=legs,
        breakdown={
            "total_minor": sale.amount.minor, "currency": sale.amount.currency, "rider_category": sale.rider_category,
            "operators": [{"operator_id": leg["operator_id"], "amount_minor": leg["standalone_minor"],
                           "standalone_minor": leg["standalone_minor"]} for leg in legs],
            "products": [{"id": product.id, "name": product.name, "amount_minor": sale.amount.minor, "legs": []}],
            "rules": rules,
        },
        tariff_version_id=catalog.tariff_version_id, access_token_hash=sale.order_token_hash, created_at=now,
        expires_at=now, paid_at=now,
    )


def sell_pass(
    session: Session, catalog: PassCatalog, sale: PassSale, now: datetime, provider: PaymentProvider, source: str,
    reference: str | None = None,
) -> PassHolding | Declined:
    """Capture the amount and record the sale; a decline adds nothing and is returned for the caller to record.

    ``reference`` is what the provider knows the capture by (default: the order
    id); a renewal passes one per subscription period, so that a provider that
    deduplicates by reference never charges one period twice.
    """
    order = _order(catalog, sale, now)
    result = provider.capture(sale.amount, source, reference=reference or order.id)
    if not result.captured:
        return Declined(order, result.decline_reason)
    payment = Payment(id=new_id(), order_id=order.id, method=CARD, status=CAPTURED, amount_minor=sale.amount.minor,
                      currency=sale.amount.currency, provider_reference=result.reference, created_at=now)
    holding = PassHolding(
        id=new_id(), order_id=order.id, payment_id=payment.id, owner_user_id=sale.owner_user_id,
        owner_token_hash=sale.owner_token_hash, pass_product_id=sale.product.id, name=sale.product.rule.name,
        tariff_version_id=catalog.tariff_version_id, rider_category=sale.rider_category,
        scope=sale.product.scope().to_json(), timezone=catalog.timezone, valid_from=sale.valid_from,
        valid_until=sale.valid_until, status=ACTIVE, amount_minor=sale.amount.minor, currency=sale.amount.currency,
        subscription_id=sale.subscription_id, created_at=now,
    )
    session.add(order)
    session.flush()
    session.add(payment)
    session.flush()
    session.add(holding)
    add_event(session, SALE_PAID, sale_paid_payload(order, payment, holding, now), now)
    session.flush()
    return holding


def record_decline(session: Session, declined: Declined, now: datetime) -> Payment:
    """Keep the declined attempt (its order is ``declined``, so it can never be paid or used)."""
    order = declined.order
    order.status, order.paid_at = DECLINED, None
    session.add(order)
    session.flush()
    payment = Payment(id=new_id(), order_id=order.id, method=CARD, status=DECLINED, amount_minor=order.total_minor,
                      currency=order.currency, decline_reason=declined.reason, created_at=now)
    session.add(payment)
    return payment


def decline_or_commit(uow: SqlUnitOfWork, outcome: object, now: datetime) -> None:
    """A declined sale is rolled back, its attempt kept, and a 402 raised; a captured one is committed."""
    if isinstance(outcome, Declined):
        uow.rollback()
        record_decline(uow.session, outcome, now)
        uow.commit()
        raise PaymentDeclined(f"the payment was declined: {outcome.reason}", details={"reason": outcome.reason})
    uow.commit()


def sale_paid_payload(order: Order, payment: Payment, holding: PassHolding, now: datetime) -> dict[str, Any]:
    """The ``SalePaid`` of docs/events.md, with ``pass_id`` and ``subscription_id`` and no ticket."""
    return {
        "sale_id": order.id,
        "payment_id": payment.id,
        "ticket_id": None,
        "pass_id": holding.id,
        "subscription_id": holding.subscription_id,
        "amount_minor": payment.amount_minor,
        "currency": payment.currency,
        "payment_method": payment.method,
        "paid_at": now.isoformat(),
        "tariff_version_id": order.tariff_version_id,
        "rider_category": order.rider_category,
        "legs": [{"operator_id": leg["operator_id"], "route_id": None, "standalone_minor": leg["standalone_minor"]}
                 for leg in order.legs],
    }
