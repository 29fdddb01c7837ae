"""Orders and payments at the service level, on SQLite and PostgreSQL."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from core.errors import FarebridgeError, InvalidStateTransition, PaymentDeclined, QuoteExpired, ValidationFailed
from core.outbox import OutboxEvent
from fares.price import ItineraryLeg
from ticketing.models import Payment, Ticket
from ticketing.payment_providers import SandboxCardProvider
from ticketing.services import CreateOrder, PayOrder, create_order, pay_order, verify_ticket
from ticketing.token import TicketSigner

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
TTL = timedelta(minutes=15)
LEGS = (
    ItineraryLeg("RE1", "ALT_HBF", "BGS_BF", NOW + timedelta(hours=1), NOW + timedelta(hours=1, minutes=26)),
    ItineraryLeg("BVB21", "BGS_BF", "BGS_SONN_BUCHENWEG", NOW + timedelta(hours=1, minutes=30),
                 NOW + timedelta(hours=1, minutes=44)),
)
SIGNER = TicketSigner(Ed25519PrivateKey.generate())


def new_order(demo, legs=LEGS, rider="adult"):
    order, _token = create_order(demo.uow(), CreateOrder(legs, rider, None), NOW, TTL)
    return order


def pay(demo, order_id, token="tok_ok", now=NOW + timedelta(minutes=1)):
    return pay_order(demo.uow(), PayOrder(order_id, "card", token), now, SandboxCardProvider(), SIGNER)


def count(demo, model) -> int:
    with demo.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)))


def sale_events(demo) -> int:
    """SalePaid events only: loading the demo also tops up the demo passenger's wallet."""
    with demo.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEvent)
                                  .where(OutboxEvent.type == "SalePaid")))


def test_payment_writes_ticket_and_sale_event_together(demo):
    order = new_order(demo)
    ticket = pay(demo, order.id)
    assert (count(demo, Payment), count(demo, Ticket), sale_events(demo)) == (1, 1, 1)
    with demo.session_factory() as session:
        event = session.scalars(select(OutboxEvent).where(OutboxEvent.type == "SalePaid")).one()
        assert event.type == "SalePaid"
        assert event.payload["amount_minor"] == order.total_minor
        assert {leg["operator_id"] for leg in event.payload["legs"]} == {"RBA", "BVB"}
        assert ticket.valid_from == LEGS[0].departure - timedelta(minutes=30)
        assert ticket.valid_until == LEGS[-1].arrival + timedelta(minutes=60)
        on_board = verify_ticket(session, ticket.token, SIGNER.public_key, LEGS[0].departure)
        assert on_board.valid and on_board.claims["tid"] == ticket.id
        later = verify_ticket(session, ticket.token, SIGNER.public_key, LEGS[-1].arrival + timedelta(hours=2))
        assert not later.valid and "expired" in later.reason


def test_an_expired_quote_cannot_be_paid(demo):
    order = new_order(demo)
    with pytest.raises(QuoteExpired):
        pay(demo, order.id, now=NOW + TTL)
    assert count(demo, Ticket) == 0


def test_a_declined_card_leaves_no_ticket_and_no_event(demo):
    order = new_order(demo)
    with pytest.raises(PaymentDeclined):
        pay(demo, order.id, token="tok_declined")
    assert (count(demo, Ticket), sale_events(demo)) == (0, 0)
    with demo.session_factory() as session:
        assert session.scalars(select(Payment.status)).all() == ["declined"]
    pay(demo, order.id)
    assert count(demo, Ticket) == 1


def test_a_paid_order_cannot_be_paid_again(demo):
    order = new_order(demo)
    pay(demo, order.id)
    with pytest.raises(InvalidStateTransition):
        pay(demo, order.id)


def test_journeys_that_already_left_cannot_be_ordered(demo):
    gone = (ItineraryLeg("RE1", "ALT_HBF", "BGS_BF", NOW - timedelta(hours=1), NOW - timedelta(minutes=34)),)
    with pytest.raises(ValidationFailed):
        new_order(demo, legs=gone)


def test_concurrent_payments_of_one_order_capture_once(demo):
    order = new_order(demo)

    def attempt(_: int) -> str:
        try:
            pay(demo, order.id)
            return "paid"
        except FarebridgeError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(12)))
    assert outcomes.count("paid") == 1
    assert (count(demo, Payment), count(demo, Ticket), sale_events(demo)) == (1, 1, 1)


def test_a_quote_made_under_a_tariff_that_was_replaced_is_refused(demo):
    import json
    from pathlib import Path

    from fares.services import activate_tariff, import_native_tariff

    order = new_order(demo)
    package = json.loads((Path(__file__).resolve().parents[2] / "webapp/demo/data/tariff.json").read_text())
    package["name"] = "VAU 2027"
    uow = demo.uow()
    with uow:
        version = import_native_tariff(uow.session, json.dumps(package), "t2027.json")
        activate_tariff(uow.session, version.id)
        uow.commit()
    with pytest.raises(QuoteExpired) as caught:
        pay(demo, order.id)
    assert caught.value.code == "quote_repriced"
    assert sale_events(demo) == 0
