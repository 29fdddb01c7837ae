"""Ticketing services: quote an order, pay it, issue the ticket.

``pay_order`` writes the captured payment, the ticket and the ``SalePaid``
outbox event in one transaction, so clearing hears of exactly the sales that
were paid. A wallet payment debits the wallet in that same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, object_session

from core.access_tokens import hash_token, new_token
from core.db import new_id
from core.errors import (
    Conflict,
    Forbidden,
    InvalidStateTransition,
    NoFareFound,
    NotFound,
    PaymentDeclined,
    QuoteExpired,
    ValidationFailed,
)
from core.money import Money
from core.outbox import SALE_PAID, add_event
from core.unit_of_work import SqlUnitOfWork
from fares.cache import pricing_context
from fares.distance import leg_distance_m
from fares.models import TariffVersion
from fares.native.v2 import NativeV2Engine
from fares.native.v2.apportionment import STANDALONE_FARES, Apportionment
from fares.network import Network
from fares.price import ItineraryLeg, Price
from fares.services import price_legs
from ticketing.models import CAPTURED, DECLINED, PAID, QUOTED, VALID, VALID_STATES, Order, Payment, Ticket
from ticketing.payment_providers import PaymentProvider, capture_with_retries
from ticketing.token import InvalidTicketToken, TicketSigner, verify_token
from ticketing.wallets import get_wallet, spend

VALIDITY_BEFORE = timedelta(minutes=30)
VALIDITY_AFTER = timedelta(minutes=60)
UNTIMED_VALIDITY = timedelta(hours=3)
DEPARTURE_GRACE = timedelta(minutes=10)
#: Tickets are sold for departures at most this far ahead: tariffs change yearly, and a ticket
#: for a departure in 9999 would be priced on a tariff that will not be in force then.
ADVANCE_SALE = timedelta(days=366)
CARD, WALLET = "card", "wallet"
SALES_CHANNEL = "web"  # the commission account of sales through this service: commission:web:{currency}


@dataclass(frozen=True, slots=True)
class CreateOrder:
    legs: tuple[ItineraryLeg, ...]
    rider_category: str | None
    email: str | None
    user_id: int | None = None  # the passenger who orders with a user token; None for a guest


@dataclass(frozen=True, slots=True)
class PayOrder:
    order_id: str
    method: str
    card_token: str | None
    wallet_id: str | None = None
    payer_user_id: int | None = None  # the passenger paying with a user token; a wallet pays only for its owner


def price_to_breakdown(price: Price) -> dict[str, Any]:
    """The price as stored with the order and shown to the passenger."""
    return {
        "total_minor": price.total.minor,
        "currency": price.total.currency,
        "rider_category": price.rider_category,
        "operators": [
            {"operator_id": o.operator_id, "amount_minor": o.amount.minor, "standalone_minor": o.standalone.minor}
            for o in price.operators
        ],
        "products": [
            {"id": p.id, "name": p.name, "amount_minor": p.amount.minor, "legs": list(p.leg_indexes)}
            for p in price.products
        ],
        "rules": list(price.rules),
    }


def create_order(uow: SqlUnitOfWork, cmd: CreateOrder, now: datetime, ttl: timedelta) -> tuple[Order, str]:
    """Price the legs on the server and lock that price until ``expires_at``."""
    for index, leg in enumerate(cmd.legs):
        if leg.departure is not None and leg.departure < now - DEPARTURE_GRACE:
            raise ValidationFailed(f"leg {index} departed at {leg.departure.isoformat()}; plan a new journey",
                                   details=[{"field": f"legs[{index}].departure", "message": "in the past"}])
        if leg.departure is not None and leg.departure > now + ADVANCE_SALE:
            raise ValidationFailed(f"leg {index} departs at {leg.departure.isoformat()}; tickets are sold at most "
                                   f"{ADVANCE_SALE.days} days ahead",
                                   details=[{"field": f"legs[{index}].departure", "message": "too far ahead"}])
    with uow:
        price = price_legs(uow.session, cmd.legs, cmd.rider_category)
        if price.total is None or price.rider_category is None:
            raise NoFareFound("no fare covers these legs", details={"legs": list(price.unpriced_legs)})
        _check_tariff_validity(uow.session, cmd.legs, price.tariff_version_id)
        access_token = new_token()
        legs = [
            {
                "operator_id": leg.operator_id,
                "route_id": leg.route_id,
                "from_stop_id": leg.from_stop_id,
                "to_stop_id": leg.to_stop_id,
                "departure": source.departure.isoformat() if source.departure else None,
                "arrival": source.arrival.isoformat() if source.arrival else None,
                "zones": list(leg.zones),
                "standalone_minor": leg.standalone.minor if leg.standalone else 0,
            }
            for leg, source in zip(price.legs, cmd.legs, strict=True)
        ]
        order = Order(
            id=new_id(),
            status=QUOTED,
            email=cmd.email,
            rider_category=price.rider_category,
            currency=price.total.currency,
            total_minor=price.total.minor,
            legs=legs,
            breakdown=price_to_breakdown(price),
            tariff_version_id=price.tariff_version_id,
            access_token_hash=hash_token(access_token),
            user_id=cmd.user_id,
            created_at=now,
            expires_at=now + ttl,
        )
        uow.session.add(order)
        uow.commit()
        return order, access_token


def _check_tariff_validity(session: Session, legs: tuple[ItineraryLeg, ...], version_id: int | None) -> None:
    """A departure after the pricing version's ``valid_to`` is outside its validity: no ticket under it."""
    version = session.get(TariffVersion, version_id) if version_id is not None else None
    if version is None or version.valid_to is None:
        return
    for index, leg in enumerate(legs):
        if leg.departure is not None and leg.departure.date() > version.valid_to:
            raise ValidationFailed(
                f"leg {index} departs on {leg.departure.date()}, after the tariff's validity "
                f"(until {version.valid_to})",
                details=[{"field": f"legs[{index}].departure", "message": "outside the tariff's validity"}])


def get_order(session: Session, order_id: str) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"no order {order_id}")
    return order


def order_accessible(order: Order, bearer: str | None) -> bool:
    return bearer is not None and hash_token(bearer) == order.access_token_hash


def _validity(order: Order, now: datetime) -> tuple[datetime, datetime]:
    departures = [datetime.fromisoformat(leg["departure"]) for leg in order.legs if leg.get("departure")]
    arrivals = [datetime.fromisoformat(leg["arrival"]) for leg in order.legs if leg.get("arrival")]
    if departures and arrivals:
        return min(departures) - VALIDITY_BEFORE, max(arrivals) + VALIDITY_AFTER
    return now, now + UNTIMED_VALIDITY


def _check_payment(cmd: PayOrder) -> None:
    if cmd.method == CARD and not cmd.card_token:
        raise ValidationFailed("card_token is required for card payments", details=[{"field": "card_token"}])
    if cmd.method == WALLET and not cmd.wallet_id:
        raise ValidationFailed("wallet_id is required for wallet payments", details=[{"field": "wallet_id"}])
    if cmd.method not in (CARD, WALLET):
        raise ValidationFailed(f"payment method {cmd.method!r} is not available",
                               details=[{"field": "method", "message": "use card or wallet"}])


def _check_wallet_payer(session: Session, order: Order, cmd: PayOrder) -> None:
    """A wallet pays for its owner's own orders only, and only when the owner asks."""
    assert cmd.wallet_id is not None
    if cmd.payer_user_id is None or order.user_id != cmd.payer_user_id:
        raise Forbidden("a wallet pays only for orders its owner placed with their passenger token")
    if get_wallet(session, cmd.wallet_id).owner_user_id != cmd.payer_user_id:
        raise Forbidden("this wallet belongs to another passenger")


def _collect(session: Session, cmd: PayOrder, order: Order, amount: Money, provider: PaymentProvider,
             now: datetime) -> str | None:
    """Take the money: from the wallet, or captured from the card; the provider's reference, if any."""
    if cmd.method == WALLET:
        assert cmd.wallet_id is not None
        spend(session, cmd.wallet_id, amount, order.id, now)
        return None
    assert cmd.card_token is not None
    # The order id is the provider's idempotency key: a retried capture never charges twice.
    result = capture_with_retries(provider, amount, cmd.card_token, reference=order.id)
    if not result.captured:
        raise PaymentDeclined(f"the payment was declined: {result.decline_reason}",
                              details={"reason": result.decline_reason})
    return result.reference


def pay_order(
    uow: SqlUnitOfWork, cmd: PayOrder, now: datetime, provider: PaymentProvider, signer: TicketSigner
) -> Ticket:
    _check_payment(cmd)
    with uow:
        session = uow.session
        order = get_order(session, cmd.order_id)
        _refuse_repriced(session, order)
        if cmd.method == WALLET:
            _check_wallet_payer(session, order, cmd)
        # Claim the order with a conditional update: only one payment can win it.
        claimed = session.execute(
            update(Order)
            .where(Order.id == order.id, Order.status == QUOTED, Order.expires_at > now)
            .values(status=PAID, paid_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            session.refresh(order)
            if order.status == PAID:
                raise InvalidStateTransition(f"order {order.id} is already paid", code="already_paid")
            if order.expires_at <= now:
                raise QuoteExpired(f"the quote for order {order.id} expired at {order.expires_at.isoformat()}; "
                                   "ask for a new one")
            raise Conflict(f"order {order.id} cannot be paid in state {order.status}")
        amount = Money(order.total_minor, order.currency)
        try:
            provider_reference = _collect(session, cmd, order, amount, provider, now)
        except PaymentDeclined as declined:
            uow.rollback()  # the order is payable again
            session.add(Payment(id=new_id(), order_id=order.id, method=cmd.method, status=DECLINED,
                                amount_minor=amount.minor, currency=amount.currency,
                                decline_reason=declined.details["reason"], created_at=now))
            uow.commit()
            raise
        payment = Payment(id=new_id(), order_id=order.id, method=cmd.method, status=CAPTURED,
                          amount_minor=amount.minor, currency=amount.currency,
                          provider_reference=provider_reference, created_at=now)
        session.add(payment)
        valid_from, valid_until = _validity(order, now)
        ticket_id = new_id()
        token = signer.sign({
            "tid": ticket_id,
            "rc": order.rider_category,
            "vf": valid_from.isoformat(),
            "vu": valid_until.isoformat(),
            "p": amount.format(),
            "cur": amount.currency,
            "legs": [[leg["route_id"], leg["from_stop_id"], leg["to_stop_id"]] for leg in order.legs],
        })
        ticket = Ticket(id=ticket_id, order_id=order.id, payment_id=payment.id, status=VALID,
                        rider_category=order.rider_category, valid_from=valid_from, valid_until=valid_until,
                        token=token, created_at=now)
        session.add(ticket)
        add_event(session, SALE_PAID, _sale_paid_payload(order, payment, ticket, now), now)
        uow.commit()
        return ticket


def _refuse_repriced(session: Session, order: Order) -> None:
    """A quote holds only under the tariff that made it: after a new activation it must be quoted again."""
    if order.status != QUOTED or order.tariff_version_id is None:
        return
    active = session.scalar(select(TariffVersion.id).where(TariffVersion.status == "active"))
    if active != order.tariff_version_id:
        raise QuoteExpired(
            f"the tariff changed since order {order.id} was quoted (version {order.tariff_version_id} -> "
            f"{active}); ask for a new quote", details={"tariff_version_id": active}, code="quote_repriced")


def _sale_paid_payload(order: Order, payment: Payment, ticket: Ticket, now: datetime) -> dict[str, Any]:
    """The sale as clearing needs it: the apportionment rule and every leg's weights travel with it."""
    network, hint = _clearing_facts(order)
    return {
        "sale_id": order.id,
        "payment_id": payment.id,
        "ticket_id": ticket.id,
        "amount_minor": payment.amount_minor,
        "currency": payment.currency,
        "payment_method": payment.method,
        "paid_at": now.isoformat(),
        "tariff_version_id": order.tariff_version_id,
        "rider_category": order.rider_category,
        "apportionment": _apportionment_payload(hint),
        "legs": [
            {"operator_id": leg["operator_id"], "route_id": leg["route_id"],
             "standalone_minor": leg["standalone_minor"],
             "distance_m": leg_distance_m(network, leg["route_id"], leg["from_stop_id"], leg["to_stop_id"])
             if network is not None else None,
             "zones": len(leg.get("zones") or ())}
            for leg in order.legs
        ],
    }


def _clearing_facts(order: Order) -> tuple[Network | None, Apportionment]:
    """The network of the order's tariff version and its apportionment hint (standalone fares by default).

    One hint for the sale: the products' own if they all agree, else the package's.
    """
    session = object_session(order)
    try:
        context = pricing_context(session, order.tariff_version_id) if session is not None else None
    except (NotFound, NoFareFound):
        context = None
    if context is None:
        return None, Apportionment(STANDALONE_FARES)
    engine = context.engine
    if not isinstance(engine, NativeV2Engine):
        return context.network, Apportionment(STANDALONE_FARES)
    hints = {engine.model.apportionment_for(p["id"]) for p in (order.breakdown or {}).get("products", [])}
    return context.network, hints.pop() if len(hints) == 1 else engine.model.apportionment


def _apportionment_payload(hint: Apportionment) -> dict[str, Any]:
    """docs/events.md, SalePaid ``apportionment``: ratios as exact fraction strings, fees in minor units."""
    return {
        "method": hint.method,
        "shares": {op: str(share) for op, share in hint.shares},
        "fees_minor": {op: fee.minor for op, fee in hint.fees},
        "remainder": hint.remainder,
        "commission": {"channel": SALES_CHANNEL, "rate": str(hint.reseller_commission), "fixed_minor": 0},
        "clearing_fee": {"rate": str(hint.clearing_fee), "fixed_minor": 0},
    }


def get_ticket(session: Session, ticket_id: str) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    return ticket


def check_order_access(order: Order, bearer: str | None, passenger_id: int | None, is_admin: bool) -> None:
    """Who may pay for, read and refund an order and its ticket: its guest token, its passenger, an admin."""
    if is_admin or order_accessible(order, bearer):
        return
    if order.user_id is not None and order.user_id == passenger_id:
        return
    raise Forbidden("this order belongs to someone else: use its access_token as Bearer token")


def captured_total(session: Session, start: datetime, end: datetime, currency: str) -> int:
    """Captured payments in ``[start, end)``, in minor units."""
    total = session.scalar(
        select(func.coalesce(func.sum(Payment.amount_minor), 0)).where(
            Payment.status == CAPTURED, Payment.currency == currency,
            Payment.created_at >= start, Payment.created_at < end,
        )
    )
    return int(total or 0)


@dataclass(frozen=True, slots=True)
class Verification:
    valid: bool
    reason: str | None
    claims: dict[str, Any] | None


def verify_ticket(session: Session, token: str, public_key: Any, now: datetime) -> Verification:
    """Offline checks (signature, validity window), then the online one (was it refunded?)."""
    try:
        claims = verify_token(token, public_key, now=now)
    except InvalidTicketToken as invalid:
        return Verification(False, invalid.reason, invalid.claims)
    ticket = session.get(Ticket, claims["tid"])
    if ticket is None:
        return _verify_pass_trip(session, claims, now)
    if ticket.status not in VALID_STATES:
        return Verification(False, f"the ticket is {ticket.status}", claims)
    return Verification(True, None, claims)


def _verify_pass_trip(session: Session, claims: dict[str, Any], now: datetime) -> Verification:
    """A journey covered by a pass has no ticket row of its own; its pass must still be active."""
    from ticketing.pass_models import ACTIVE, PassHolding, PassTrip

    trip = session.get(PassTrip, claims["tid"])
    if trip is None:
        return Verification(False, "signed, but no such ticket was issued here", claims)
    holding = session.get(PassHolding, trip.pass_id)
    if holding is None or holding.status != ACTIVE:
        return Verification(False, f"the pass is {holding.status if holding else 'unknown'}", claims)
    return Verification(True, None, claims)
