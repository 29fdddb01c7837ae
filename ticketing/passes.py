"""Passes: buy one, read it, and get a signed ticket for a journey it covers.

``buy_pass`` writes the order, the captured payment, the ``PassHolding`` and
the ``SalePaid`` event in one transaction (``ticketing.pass_sales``; its
docstring holds the clearing rule). ``issue_covered_ticket`` signs a ticket of
price 0 for a journey inside the pass's scope and validity; it moves no money,
so it writes no payment and no event.

The models (``PassHolding``, ``PassTrip``, ``Subscription``) live in
``ticketing.pass_models``, the pure ``covers`` in ``ticketing.pass_scope``,
``prorate`` in ``ticketing.proration``, subscriptions in
``ticketing.subscriptions``; the names are re-exported here.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from core.access_tokens import hash_token, new_token
from core.db import new_id
from core.errors import NoFareFound, NotFound, ValidationFailed
from core.money import Money
from core.unit_of_work import SqlUnitOfWork
from fares.cache import pricing_context
from fares.price import ItineraryLeg
from ticketing.pass_models import PassHolding, PassTrip, Subscription
from ticketing.pass_products import pass_catalog
from ticketing.pass_sales import CARD, PassSale, decline_or_commit, sell_pass
from ticketing.pass_scope import PassScope, PassTerms, RideLeg, covers, resolve_legs, uncovered_reasons
from ticketing.payment_providers import PaymentProvider
from ticketing.proration import prorate
from ticketing.services import DEPARTURE_GRACE, UNTIMED_VALIDITY, VALIDITY_AFTER, VALIDITY_BEFORE
from ticketing.token import TicketSigner

__all__ = [
    "BuyPass", "CardPayment", "PassHolding", "PassScope", "PassTerms", "PassTrip", "RideLeg", "Subscription",
    "buy_pass", "covers", "get_pass", "issue_covered_ticket", "pass_accessible", "prorate", "uncovered_reasons",
]

MAX_DAYS_AHEAD = 60  # how far ahead a pass (or a subscription) may start


@dataclass(frozen=True, slots=True)
class CardPayment:
    method: str
    card_token: str | None

    def check(self) -> str:
        """The card token; passes and subscriptions are paid by card only (as journeys are today)."""
        if self.method != CARD:
            raise ValidationFailed(f"payment method {self.method!r} is not available for passes",
                                   details=[{"field": "payment.method", "message": "use card"}])
        if not self.card_token:
            raise ValidationFailed("card_token is required for card payments",
                                   details=[{"field": "payment.card_token", "message": "required"}])
        return self.card_token


@dataclass(frozen=True, slots=True)
class BuyPass:
    pass_product_id: str
    rider_category: str | None
    start_date: date | None  # None: today (the tariff's service day)
    payment: CardPayment
    owner_user_id: int | None  # None: a guest, who gets an access token for the pass
    email: str | None = None


def buy_pass(
    uow: SqlUnitOfWork, cmd: BuyPass, now: datetime, provider: PaymentProvider
) -> tuple[PassHolding, str | None]:
    """The holding, and the guest's access token (None when a user owns the pass)."""
    card_token = cmd.payment.check()
    with uow:
        session = uow.session
        catalog = pass_catalog(session)
        product = catalog.product(cmd.pass_product_id)
        if product.subscription:
            raise ValidationFailed(f"pass {product.id} is sold as a monthly subscription only (POST /subscriptions)",
                                   details=[{"field": "pass_product_id", "message": "subscription only"}],
                                   code="subscription_only")
        category, amount = catalog.price(product, cmd.rider_category)
        start = catalog.start_day(cmd.start_date, now, MAX_DAYS_AHEAD)
        valid_from, valid_until = catalog.validity(product, start)
        access_token = new_token()
        guest = cmd.owner_user_id is None
        sale = PassSale(product, category, amount, valid_from, valid_until, cmd.owner_user_id,
                        hash_token(access_token) if guest else None, hash_token(access_token), cmd.email)
        outcome = sell_pass(session, catalog, sale, now, provider, card_token)
        decline_or_commit(uow, outcome, now)
        return outcome, access_token if guest else None


def get_pass(session: Session, pass_id: str) -> PassHolding:
    holding = session.get(PassHolding, pass_id)
    if holding is None:
        raise NotFound(f"no pass {pass_id}")
    return holding


def pass_accessible(holding: PassHolding, bearer: str | None, user_id: int | None) -> bool:
    """The owning user, or a guest presenting the access token the purchase returned."""
    if user_id is not None and holding.owner_user_id == user_id:
        return True
    owner_hash = holding.owner_token_hash
    return bearer is not None and owner_hash is not None and hash_token(bearer) == owner_hash


def _trip_validity(holding: PassHolding, legs: Sequence[ItineraryLeg], now: datetime) -> tuple[datetime, datetime]:
    """As a journey ticket's (30 min before the first departure to 60 min after the last arrival, or three
    hours after the last departure when arrivals are unknown), never starting before the pass; without
    departures, from now for three hours, not beyond the pass. In the pass's timezone."""
    departures = [leg.departure for leg in legs if leg.departure is not None]
    arrivals = [leg.arrival for leg in legs if leg.arrival is not None]
    if departures:
        start = max(min(departures) - VALIDITY_BEFORE, holding.valid_from)
        end = max(arrivals) + VALIDITY_AFTER if arrivals else max(departures) + UNTIMED_VALIDITY
    else:
        start, end = max(now, holding.valid_from), min(now + UNTIMED_VALIDITY, holding.valid_until)
    return holding.local(start), holding.local(end)


def _leg_json(ride: RideLeg) -> dict[str, Any]:
    return {"operator_id": ride.operator_id, "route_id": ride.route_id, "from_stop_id": ride.from_stop_id,
            "to_stop_id": ride.to_stop_id, "departure": ride.departure.isoformat() if ride.departure else None,
            "arrival": ride.arrival.isoformat() if ride.arrival else None,
            "zones": [zone for zone in ride.zones if zone is not None]}


def issue_covered_ticket(
    uow: SqlUnitOfWork, pass_id: str, legs: Sequence[ItineraryLeg], now: datetime, signer: TicketSigner
) -> PassTrip:
    """A signed ticket of price 0 for a journey the pass covers; ``NoFareFound`` (422) says why not."""
    for index, leg in enumerate(legs):
        if leg.departure is not None and leg.departure < now - DEPARTURE_GRACE:
            raise ValidationFailed(f"leg {index} departed at {leg.departure.isoformat()}; plan a new journey",
                                   details=[{"field": f"legs[{index}].departure", "message": "in the past"}])
    with uow:
        session = uow.session
        holding = get_pass(session, pass_id)
        rides = resolve_legs(pricing_context(session).network, legs)
        reasons = uncovered_reasons(holding.terms(), rides, now)
        if reasons:
            raise NoFareFound(f"pass {holding.id} does not cover this journey: {'; '.join(reasons)}",
                              details={"pass_id": holding.id, "reasons": list(reasons)}, code="not_covered_by_pass")
        valid_from, valid_until = _trip_validity(holding, legs, now)
        trip_id = new_id()
        token = signer.sign({
            "tid": trip_id,
            "pass": holding.id,
            "rc": holding.rider_category,
            "vf": valid_from.isoformat(),
            "vu": valid_until.isoformat(),
            "p": Money(0, holding.currency).format(),
            "cur": holding.currency,
            "legs": [[ride.route_id, ride.from_stop_id, ride.to_stop_id] for ride in rides],
        })
        trip = PassTrip(id=trip_id, pass_id=holding.id, rider_category=holding.rider_category,
                        legs=[_leg_json(ride) for ride in rides], valid_from=valid_from, valid_until=valid_until,
                        token=token, created_at=now)
        session.add(trip)
        uow.commit()
        return trip
