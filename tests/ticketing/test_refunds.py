"""Refunds at the service level, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from core.errors import Conflict, FarebridgeError, InvalidStateTransition, RefundWindowClosed, ValidationFailed
from core.money import Money
from core.outbox import SALE_REFUNDED, OutboxEvent
from fares.native.v2.model import RefundPolicy
from fares.price import ItineraryLeg
from fares.services import import_native_tariff
from ticketing.models import VALID, Order, Ticket
from ticketing.payment_providers import RefundResult, SandboxCardProvider
from ticketing.refunds import (
    DEFAULT_REFUND_POLICY,
    PARTIALLY_REFUNDED,
    REFUNDED,
    Refund,
    RefundTicket,
    refund_policy_for,
    refund_ticket,
    refunded_total,
)
from ticketing.services import CreateOrder, PayOrder, create_order, pay_order, verify_ticket
from ticketing.token import TicketSigner

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
DEPARTURE = NOW + timedelta(hours=1)
LEGS = (
    ItineraryLeg("RE1", "ALT_HBF", "BGS_BF", DEPARTURE, NOW + timedelta(hours=1, minutes=26)),
    ItineraryLeg("BVB21", "BGS_BF", "BGS_SONN_BUCHENWEG", NOW + timedelta(hours=1, minutes=30),
                 NOW + timedelta(hours=1, minutes=44)),
)
PRICE = 590  # zones 1, 3, 4, 5 of the VAU tariff
SIGNER = TicketSigner(Ed25519PrivateKey.generate())
LATER = NOW + timedelta(minutes=5)
FEE_POLICY = RefundPolicy(fee_minor=100, fee_percent=Fraction(10), max_fee_minor=500, allow_partial=True,
                          until="validity_end")


def paid_ticket(demo, provider: SandboxCardProvider) -> Ticket:
    order, _token = create_order(demo.uow(), CreateOrder(LEGS, "adult", None), NOW, timedelta(minutes=15))
    return pay_order(demo.uow(), PayOrder(order.id, "card", "tok_ok"), NOW + timedelta(minutes=1), provider, SIGNER)


def refund(demo, ticket, provider, amount=None, now=LATER, policy=DEFAULT_REFUND_POLICY, reason=None) -> Refund:
    return refund_ticket(demo.uow(), RefundTicket(ticket.id, amount, reason), now, policy, provider)


def ticket_status(demo, ticket_id: str) -> str:
    with demo.session_factory() as session:
        return session.get(Ticket, ticket_id).status


def refunded_events(demo) -> list[dict]:
    with demo.session_factory() as session:
        return [e.payload for e in session.scalars(select(OutboxEvent).where(OutboxEvent.type == SALE_REFUNDED)
                                                   .order_by(OutboxEvent.created_at))]


@pytest.fixture
def card() -> SandboxCardProvider:
    return SandboxCardProvider()


def test_full_refund_gives_everything_back_to_the_card_and_voids_the_ticket(demo, card):
    ticket = paid_ticket(demo, card)
    done = refund(demo, ticket, card, reason="trip cancelled")
    assert (done.amount_minor, done.fee_minor, done.currency, done.payment_method) == (PRICE, 0, "EUR", "card")
    assert done.reason == "trip cancelled"
    assert done.provider_reference.startswith("sbx_rf_")
    assert ticket_status(demo, ticket.id) == REFUNDED
    with demo.session_factory() as session:
        assert card.refunded_minor(ticket.order_id) == PRICE
        verdict = verify_ticket(session, ticket.token, SIGNER.public_key, DEPARTURE)
    assert verdict.valid is False
    assert verdict.reason == "the ticket is refunded"


def test_refund_writes_a_sale_refunded_event_exactly_as_documented(demo, card):
    ticket = paid_ticket(demo, card)
    done = refund(demo, ticket, card, amount=200, policy=FEE_POLICY)
    assert refunded_events(demo) == [{
        "refund_id": done.id, "sale_id": ticket.order_id, "amount_minor": 80, "currency": "EUR",
        "fee_minor": 120, "refunded_at": LATER.isoformat(), "payment_method": "card",
    }]


def test_partial_refund_leaves_a_partly_refunded_ticket_and_the_rest_refundable(demo, card):
    ticket = paid_ticket(demo, card)
    first = refund(demo, ticket, card, amount=150)
    assert (first.amount_minor, first.fee_minor) == (150, 0)
    assert ticket_status(demo, ticket.id) == PARTIALLY_REFUNDED
    rest = refund(demo, ticket, card)  # no amount: all that is left
    assert rest.amount_minor == PRICE - 150
    assert ticket_status(demo, ticket.id) == REFUNDED
    assert card.refunded_minor(ticket.order_id) == PRICE


def test_a_partly_refunded_ticket_still_verifies_as_valid(demo, card):
    ticket = paid_ticket(demo, card)
    refund(demo, ticket, card, amount=100)
    with demo.session_factory() as session:
        assert verify_ticket(session, ticket.token, SIGNER.public_key, DEPARTURE).valid is True


def test_more_than_what_is_left_is_refused_and_changes_nothing(demo, card):
    ticket = paid_ticket(demo, card)
    refund(demo, ticket, card, amount=300)
    with pytest.raises(ValidationFailed) as refused:
        refund(demo, ticket, card, amount=291)
    assert refused.value.code == "amount_exceeds_refundable"
    assert refused.value.message == "at most 2.90 EUR can still be refunded on this ticket"
    assert card.refunded_minor(ticket.order_id) == 300
    refund(demo, ticket, card, amount=290)
    with pytest.raises(InvalidStateTransition) as again:
        refund(demo, ticket, card)
    assert again.value.code == "already_refunded"
    with demo.session_factory() as session:
        assert session.scalar(select(func.sum(Refund.amount_minor + Refund.fee_minor))) == PRICE


def test_zero_and_negative_amounts_are_refused(demo, card):
    ticket = paid_ticket(demo, card)
    for amount in (0, -5):
        with pytest.raises(ValidationFailed) as refused:
            refund(demo, ticket, card, amount=amount)
        assert refused.value.details == [{"field": "amount", "message": "must be more than 0"}]
    assert ticket_status(demo, ticket.id) == VALID


def test_the_fee_is_fixed_plus_percent_capped_and_counts_against_what_was_paid(demo, card):
    ticket = paid_ticket(demo, card)
    partial = refund(demo, ticket, card, amount=200, policy=FEE_POLICY)
    assert (partial.amount_minor, partial.fee_minor) == (80, 120)  # 1.00 + 10 % of 2.00
    rest = refund(demo, ticket, card, policy=replace(FEE_POLICY, max_fee_minor=125))
    assert (rest.amount_minor, rest.fee_minor) == (265, 125)  # 390 left: 1.00 + 0.39 = 1.39, capped at 1.25
    assert ticket_status(demo, ticket.id) == REFUNDED
    assert card.refunded_minor(ticket.order_id) == 80 + 265


def test_a_fee_that_takes_the_whole_amount_is_refused(demo, card):
    ticket = paid_ticket(demo, card)
    with pytest.raises(ValidationFailed) as refused:
        refund(demo, ticket, card, amount=100, policy=FEE_POLICY)
    assert refused.value.code == "refund_fee_exceeds_amount"
    assert ticket_status(demo, ticket.id) == VALID


def test_a_tariff_without_partial_refunds_refunds_whole_tickets_only(demo, card):
    ticket = paid_ticket(demo, card)
    whole_only = replace(DEFAULT_REFUND_POLICY, allow_partial=False)
    with pytest.raises(ValidationFailed) as refused:
        refund(demo, ticket, card, amount=100, policy=whole_only)
    assert refused.value.code == "partial_refund_not_allowed"
    assert refund(demo, ticket, card, amount=PRICE, policy=whole_only).amount_minor == PRICE


def test_no_refund_once_the_validity_ended(demo, card):
    ticket = paid_ticket(demo, card)
    with pytest.raises(RefundWindowClosed) as closed:
        refund(demo, ticket, card, now=ticket.valid_until)
    assert closed.value.details == {"until": "validity_end", "deadline": ticket.valid_until.isoformat()}
    assert refund(demo, ticket, card, now=ticket.valid_until - timedelta(seconds=1)).amount_minor == PRICE


def test_no_refund_after_departure_when_the_policy_says_so(demo, card):
    ticket = paid_ticket(demo, card)
    until_departure = replace(DEFAULT_REFUND_POLICY, until="departure")
    with pytest.raises(RefundWindowClosed) as closed:
        refund(demo, ticket, card, now=DEPARTURE, policy=until_departure)
    assert closed.value.details["deadline"] == DEPARTURE.isoformat()
    assert ticket_status(demo, ticket.id) == VALID
    # The default policy still allows it: the ticket is valid until an hour after arrival.
    assert refund(demo, ticket, card, now=DEPARTURE).amount_minor == PRICE


class RefusingProvider(SandboxCardProvider):
    def refund(self, reference: str, amount: Money) -> RefundResult:
        return RefundResult(False, failure_reason="card_closed")


def test_a_refund_the_provider_refuses_leaves_no_refund_and_no_event(demo):
    provider = RefusingProvider()
    ticket = paid_ticket(demo, provider)
    with pytest.raises(Conflict) as refused:
        refund(demo, ticket, provider)
    assert (refused.value.code, refused.value.details) == ("refund_refused_by_provider", {"reason": "card_closed"})
    assert ticket_status(demo, ticket.id) == VALID
    assert refunded_events(demo) == []
    with demo.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Refund)) == 0


def test_an_unknown_ticket_is_not_found(demo, card):
    with pytest.raises(FarebridgeError) as missing:
        refund_ticket(demo.uow(), RefundTicket("no-such-ticket", None), LATER, None, card)
    assert missing.value.code == "not_found"


def test_refunded_total_counts_what_went_back_to_passengers_in_the_period(demo, card):
    ticket = paid_ticket(demo, card)
    refund(demo, ticket, card, amount=200, policy=FEE_POLICY)
    refund(demo, ticket, card, amount=100)
    march, april = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    with demo.session_factory() as session:
        assert refunded_total(session, march, april, "EUR") == 80 + 100  # the fee stayed with the association
        assert refunded_total(session, april, datetime(2026, 5, 1, tzinfo=UTC), "EUR") == 0
        assert refunded_total(session, march, april, "CHF") == 0


class SlowSandbox(SandboxCardProvider):
    """Holds each refund a moment, so refunds that were not serialised would overlap for sure."""

    def refund(self, reference: str, amount: Money) -> RefundResult:
        time.sleep(0.05)
        return super().refund(reference, amount)


def _race(demo, ticket, provider, amounts: list[int | None]) -> list[object]:
    barrier = threading.Barrier(len(amounts))

    def attempt(amount: int | None) -> object:
        barrier.wait()
        try:
            return refund(demo, ticket, provider, amount=amount)
        except FarebridgeError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=len(amounts)) as pool:
        return list(pool.map(attempt, amounts))


def test_concurrent_partial_refunds_never_exceed_what_was_paid(demo):
    provider = SlowSandbox()
    ticket = paid_ticket(demo, provider)
    outcomes = _race(demo, ticket, provider, [200] * 6)
    done = [o for o in outcomes if isinstance(o, Refund)]
    assert len(done) == 2  # 2 x 2.00 of 5.90; a third would need 6.00
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["amount_exceeds_refundable"] * 4
    assert provider.refunded_minor(ticket.order_id) == 400
    with demo.session_factory() as session:
        assert session.scalar(select(func.sum(Refund.amount_minor))) == 400
    assert ticket_status(demo, ticket.id) == PARTIALLY_REFUNDED


def test_concurrent_full_refunds_refund_once(demo):
    provider = SlowSandbox()
    ticket = paid_ticket(demo, provider)
    outcomes = _race(demo, ticket, provider, [None] * 4)
    assert sum(isinstance(o, Refund) for o in outcomes) == 1
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["already_refunded"] * 3
    assert provider.refunded_minor(ticket.order_id) == PRICE
    assert len(refunded_events(demo)) == 1


# --- the tariff's policy ---------------------------------------------------------------------


def _v2_package(**extra: object) -> str:
    return json.dumps({
        "format": "farebridge-native", "format_version": 2, "name": f"Refund test {sorted(extra)}",
        "currency": "EUR", "timezone": "Europe/Berlin", "valid_from": "2026-01-01",
        "rider_categories": [{"id": "adult", "is_default": True}],
        "products": [{"id": "all", "scope": {}, "fare": {"kind": "flat", "amount": "2.00"}}],
        **extra,
    })


def test_refund_policy_comes_from_the_tariff_version_or_the_default(demo):
    with demo.session_factory() as session:
        with_policy = import_native_tariff(session, _v2_package(refund_policy={
            "fee": "1.00", "fee_percent": "10", "max_fee": "5.00", "allow_partial": False, "until": "departure"}),
            "v2.json")
        without = import_native_tariff(session, _v2_package(), "v2-plain.json")
        session.commit()
        assert refund_policy_for(session, with_policy.id) == RefundPolicy(
            fee_minor=100, fee_percent=Fraction(10), max_fee_minor=500, allow_partial=False, until="departure")
        assert refund_policy_for(session, without.id) == DEFAULT_REFUND_POLICY
        assert refund_policy_for(session, None) == DEFAULT_REFUND_POLICY


def test_the_demo_tariff_format_1_refunds_without_fee_until_validity_end(demo, card):
    ticket = paid_ticket(demo, card)
    with demo.session_factory() as session:
        version_id = session.get(Order, ticket.order_id).tariff_version_id
        assert version_id is not None
        assert refund_policy_for(session, version_id) == DEFAULT_REFUND_POLICY
    assert (DEFAULT_REFUND_POLICY.fee_for(PRICE), DEFAULT_REFUND_POLICY.until) == (0, "validity_end")
    done = refund_ticket(demo.uow(), RefundTicket(ticket.id, 100), LATER, None, card)  # None: the tariff's policy
    assert (done.amount_minor, done.fee_minor) == (100, 0)


# --- wallet-paid orders --------------------------------------------------------------------------


def test_a_wallet_paid_ticket_is_refunded_to_the_wallet(demo, card):
    wallets = pytest.importorskip("ticketing.wallets", reason="ticketing/wallets.py is not there yet")
    if not all(hasattr(wallets, name) for name in ("open_wallet", "top_up", "credit_refund", "balance_from_entries")):
        pytest.skip("ticketing/wallets.py does not offer open_wallet/top_up/credit_refund yet")
    from webapp.users import create_user

    with demo.session_factory() as session:
        user, _token = create_user(session, "passenger", email="rider@example.org")
        session.commit()
        user_id = user.id
    wallet, _opened = wallets.open_wallet(demo.uow(), user_id, "EUR", NOW)
    wallets.top_up(demo.uow(), wallet.id, Money(1000, "EUR"), "tok_ok", card, NOW)
    order, _ = create_order(demo.uow(), CreateOrder(LEGS, "adult", None, user_id=user_id), NOW,
                            timedelta(minutes=15))
    ticket = pay_order(demo.uow(), PayOrder(order.id, "wallet", None, wallet.id, user_id), NOW, card, SIGNER)

    done = refund(demo, ticket, card, amount=200, policy=FEE_POLICY)
    assert (done.payment_method, done.amount_minor, done.provider_reference) == ("wallet", 80, None)
    assert refunded_events(demo)[0]["payment_method"] == "wallet"
    with demo.session_factory() as session:
        assert wallets.balance_from_entries(session, wallet.id) == 1000 - PRICE + 80
    assert card.refunded_minor(ticket.order_id) == 0  # nothing went to a card
