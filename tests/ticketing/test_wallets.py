"""Prepaid wallets at the service level, on SQLite and PostgreSQL."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from core.errors import Conflict, FarebridgeError, Forbidden, PaymentDeclined, ValidationFailed
from core.money import Money
from core.outbox import OutboxEvent
from fares.price import ItineraryLeg
from ticketing.models import Order, Payment, Ticket
from ticketing.payment_providers import SandboxCardProvider
from ticketing.services import CreateOrder, PayOrder, create_order, pay_order
from ticketing.token import TicketSigner
from ticketing.wallets import (
    Wallet,
    WalletEntry,
    balance_from_entries,
    credit_refund,
    get_wallet,
    history,
    open_wallet,
    spend,
    top_up,
)
from webapp.users import create_user

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
LEGS = (
    ItineraryLeg("RE1", "ALT_HBF", "BGS_BF", NOW + timedelta(hours=1), NOW + timedelta(hours=1, minutes=26)),
    ItineraryLeg("BVB21", "BGS_BF", "BGS_SONN_BUCHENWEG", NOW + timedelta(hours=1, minutes=30),
                 NOW + timedelta(hours=1, minutes=44)),
)
SIGNER = TicketSigner(Ed25519PrivateKey.generate())


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def passenger(rt) -> int:
    uow = rt.uow()
    with uow:
        user, _token = create_user(uow.session, "passenger")
        uow.commit()
        return user.id


def funded_wallet(rt, amount: str | None = None, sandbox=None) -> tuple[int, str]:
    owner = passenger(rt)
    wallet, opened = open_wallet(rt.uow(), owner, "EUR", NOW)
    assert opened
    if amount is not None:
        top_up(rt.uow(), wallet.id, eur(amount), "tok_ok", sandbox or SandboxCardProvider(), NOW)
    return owner, wallet.id


def new_order(rt, user_id: int | None) -> Order:
    order, _token = create_order(rt.uow(), CreateOrder(LEGS, "adult", None, user_id=user_id), NOW,
                                 timedelta(minutes=15))
    return order


def pay_from_wallet(rt, order_id: str, wallet_id: str, payer: int | None):
    return pay_order(rt.uow(), PayOrder(order_id, "wallet", None, wallet_id, payer), NOW + timedelta(minutes=1),
                     SandboxCardProvider(), SIGNER)


def balance(rt, wallet_id: str) -> int:
    with rt.session_factory() as session:
        return get_wallet(session, wallet_id).balance_minor


def entries_sum(rt, wallet_id: str) -> int:
    with rt.session_factory() as session:
        return balance_from_entries(session, wallet_id)


def events(rt, type_: str) -> list[OutboxEvent]:
    with rt.session_factory() as session:
        return list(session.scalars(select(OutboxEvent).where(OutboxEvent.type == type_)))


def test_opening_a_wallet_twice_gives_the_same_empty_wallet(runtime):
    owner = passenger(runtime)
    first, opened = open_wallet(runtime.uow(), owner, "EUR", NOW)
    again, opened_again = open_wallet(runtime.uow(), owner, "EUR", NOW)
    assert (opened, opened_again) == (True, False)
    assert again.id == first.id
    assert (first.balance_minor, first.currency, first.owner_user_id) == (0, "EUR", owner)
    with pytest.raises(ValidationFailed):
        open_wallet(runtime.uow(), owner, "euro", NOW)


def test_top_up_captures_the_card_credits_the_wallet_and_writes_its_event(runtime):
    sandbox = SandboxCardProvider()
    _owner, wallet_id = funded_wallet(runtime)
    entry = top_up(runtime.uow(), wallet_id, eur("20.00"), "tok_ok", sandbox, NOW, reference="top-up-1")
    assert (entry.kind, entry.amount_minor, entry.reference) == ("topup", 2000, "top-up-1")
    assert entry.provider_reference.startswith("sbx_")
    assert sandbox.capture_count("top-up-1") == 1
    assert balance(runtime, wallet_id) == entries_sum(runtime, wallet_id) == 2000
    [event] = events(runtime, "WalletToppedUp")
    assert event.payload == {"top_up_id": "top-up-1", "wallet_id": wallet_id, "amount_minor": 2000,
                             "currency": "EUR", "topped_up_at": NOW.isoformat()}


def test_a_top_up_reference_is_booked_once_however_often_it_is_sent(runtime):
    sandbox = SandboxCardProvider()
    _owner, wallet_id = funded_wallet(runtime)
    first = top_up(runtime.uow(), wallet_id, eur("20.00"), "tok_ok", sandbox, NOW, reference="top-up-1")
    again = top_up(runtime.uow(), wallet_id, eur("20.00"), "tok_ok", sandbox, NOW, reference="top-up-1")
    assert again.id == first.id
    assert balance(runtime, wallet_id) == 2000
    assert (sandbox.capture_count("top-up-1"), len(events(runtime, "WalletToppedUp"))) == (1, 1)
    with pytest.raises(Conflict):
        top_up(runtime.uow(), wallet_id, eur("30.00"), "tok_ok", sandbox, NOW, reference="top-up-1")


def test_a_declined_top_up_changes_nothing(runtime):
    _owner, wallet_id = funded_wallet(runtime)
    with pytest.raises(PaymentDeclined) as declined:
        top_up(runtime.uow(), wallet_id, eur("20.00"), "tok_insufficient_funds", SandboxCardProvider(), NOW)
    assert declined.value.details == {"reason": "insufficient_funds"}
    assert (balance(runtime, wallet_id), entries_sum(runtime, wallet_id)) == (0, 0)
    assert events(runtime, "WalletToppedUp") == []


def test_a_transient_provider_failure_is_retried_and_captures_once(runtime):
    sandbox = SandboxCardProvider(transient_failures=2)
    _owner, wallet_id = funded_wallet(runtime)
    top_up(runtime.uow(), wallet_id, eur("15.00"), "tok_transient", sandbox, NOW, reference="top-up-1")
    assert (sandbox.attempts("top-up-1"), sandbox.capture_count("top-up-1")) == (3, 1)
    assert balance(runtime, wallet_id) == 1500


@pytest.mark.parametrize("amount", ["0.00", "-5.00", "500.01"])
def test_top_ups_of_nothing_or_too_much_are_refused(runtime, amount):
    _owner, wallet_id = funded_wallet(runtime)
    with pytest.raises(ValidationFailed):
        top_up(runtime.uow(), wallet_id, eur(amount), "tok_ok", SandboxCardProvider(), NOW)
    assert balance(runtime, wallet_id) == 0


def test_a_wallet_holds_at_most_one_thousand(runtime):
    _owner, wallet_id = funded_wallet(runtime, "500.00")
    top_up(runtime.uow(), wallet_id, eur("500.00"), "tok_ok", SandboxCardProvider(), NOW)
    with pytest.raises(ValidationFailed) as refused:
        top_up(runtime.uow(), wallet_id, eur("0.01"), "tok_ok", SandboxCardProvider(), NOW)
    assert "at most 1000.00 EUR" in refused.value.message
    assert balance(runtime, wallet_id) == 100_000


def test_spending_debits_and_more_than_the_balance_is_insufficient_funds(demo):
    owner, wallet_id = funded_wallet(demo, "10.00")
    first, second = new_order(demo, owner), new_order(demo, owner)
    uow = demo.uow()
    with uow:
        entry = spend(uow.session, wallet_id, eur("7.10"), first.id, NOW)
        uow.commit()
    assert (entry.kind, entry.amount_minor, entry.order_id) == ("spend", -710, first.id)
    assert balance(demo, wallet_id) == 290
    with uow, pytest.raises(PaymentDeclined) as declined:
        spend(uow.session, wallet_id, eur("7.10"), second.id, NOW)
    assert declined.value.details == {"reason": "insufficient_funds", "balance": "2.90", "balance_minor": 290}
    assert balance(demo, wallet_id) == entries_sum(demo, wallet_id) == 290


def test_history_lists_every_entry_oldest_first_and_sums_to_the_balance(demo):
    owner, wallet_id = funded_wallet(demo, "20.00")
    top_up(demo.uow(), wallet_id, eur("5.00"), "tok_ok", SandboxCardProvider(), NOW)
    order = new_order(demo, owner)
    pay_from_wallet(demo, order.id, wallet_id, owner)
    credit_refund_now(demo, order.id, 300, "refund-1")
    with demo.session_factory() as session:
        entries = history(session, wallet_id)
    assert [(e.kind, e.amount_minor) for e in entries] == [
        ("topup", 2000), ("topup", 500), ("spend", -order.total_minor), ("refund", 300)]
    assert sum(e.amount_minor for e in entries) == balance(demo, wallet_id) == 2800 - order.total_minor


def credit_refund_now(rt, order_id: str, amount_minor: int, refund_id: str) -> WalletEntry:
    uow = rt.uow()
    with uow:
        entry = credit_refund(uow.session, order_id, amount_minor, "EUR", refund_id, NOW)
        uow.commit()
        return entry


def test_credit_refund_gives_back_at_most_what_the_order_spent_once_per_refund_id(demo):
    owner, wallet_id = funded_wallet(demo, "20.00")
    order = new_order(demo, owner)
    pay_from_wallet(demo, order.id, wallet_id, owner)
    paid = order.total_minor
    first = credit_refund_now(demo, order.id, paid - 100, "refund-1")
    again = credit_refund_now(demo, order.id, paid - 100, "refund-1")
    assert again.id == first.id
    assert balance(demo, wallet_id) == 2000 - 100
    with pytest.raises(Conflict) as too_much:
        credit_refund_now(demo, order.id, 101, "refund-2")
    assert too_much.value.code == "refund_exceeds_payment"
    credit_refund_now(demo, order.id, 100, "refund-3")
    assert balance(demo, wallet_id) == entries_sum(demo, wallet_id) == 2000
    with pytest.raises(Conflict):
        credit_refund_now(demo, order.id, 50, "refund-1")  # the same refund id for another amount


def test_credit_refund_refuses_orders_not_paid_from_a_wallet(demo):
    order = new_order(demo, None)
    with pytest.raises(Conflict) as refused:
        credit_refund_now(demo, order.id, 100, "refund-1")
    assert refused.value.code == "not_paid_by_wallet"


def test_wallet_payment_issues_the_ticket_and_a_wallet_sale_in_one_transaction(demo):
    owner, wallet_id = funded_wallet(demo, "20.00")
    order = new_order(demo, owner)
    ticket = pay_from_wallet(demo, order.id, wallet_id, owner)
    with demo.session_factory() as session:
        payment = session.get(Payment, ticket.payment_id)
        assert (payment.method, payment.status, payment.amount_minor) == ("wallet", "captured", order.total_minor)
        assert session.get(Order, order.id).status == "paid"
    [sale] = events(demo, "SalePaid")
    assert (sale.payload["payment_method"], sale.payload["amount_minor"]) == ("wallet", order.total_minor)
    assert balance(demo, wallet_id) == 2000 - order.total_minor


def test_an_unpaid_wallet_order_stays_payable_after_insufficient_funds(demo):
    owner, wallet_id = funded_wallet(demo, "1.00")
    order = new_order(demo, owner)
    with pytest.raises(PaymentDeclined) as declined:
        pay_from_wallet(demo, order.id, wallet_id, owner)
    assert declined.value.details["reason"] == "insufficient_funds"
    with demo.session_factory() as session:
        assert session.get(Order, order.id).status == "quoted"
        assert session.scalars(select(Payment.decline_reason)).all() == ["insufficient_funds"]
    assert events(demo, "SalePaid") == []
    top_up(demo.uow(), wallet_id, eur("10.00"), "tok_ok", SandboxCardProvider(), NOW)
    pay_from_wallet(demo, order.id, wallet_id, owner)
    assert balance(demo, wallet_id) == 1100 - order.total_minor


def test_a_wallet_pays_only_its_owners_own_orders(demo):
    owner, wallet_id = funded_wallet(demo, "20.00")
    stranger, _other_wallet = funded_wallet(demo, "20.00")
    guest_order, strangers_order = new_order(demo, None), new_order(demo, stranger)
    owners_order = new_order(demo, owner)
    for order_id, payer in ((guest_order.id, owner), (strangers_order.id, owner), (strangers_order.id, stranger),
                            (owners_order.id, stranger), (owners_order.id, None)):
        with pytest.raises(Forbidden):
            pay_from_wallet(demo, order_id, wallet_id, payer)
    assert balance(demo, wallet_id) == 2000
    with pytest.raises(ValidationFailed):
        pay_order(demo.uow(), PayOrder(owners_order.id, "wallet", None, None, owner), NOW, SandboxCardProvider(),
                  SIGNER)


def test_concurrent_wallet_payments_never_overdraw(demo):
    owner, wallet_id = funded_wallet(demo)
    orders = [new_order(demo, owner) for _ in range(10)]
    price = orders[0].total_minor
    top_up(demo.uow(), wallet_id, Money(3 * price + 1, "EUR"), "tok_ok", SandboxCardProvider(), NOW)

    def attempt(order: Order) -> str:
        try:
            pay_from_wallet(demo, order.id, wallet_id, owner)
            return "paid"
        except FarebridgeError as error:
            return str(error.details["reason"]) if isinstance(error.details, dict) else error.code

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, orders))
    assert sorted(outcomes) == ["insufficient_funds"] * 7 + ["paid"] * 3
    assert balance(demo, wallet_id) == entries_sum(demo, wallet_id) == 1
    with demo.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 3
        assert session.scalar(select(func.min(Wallet.balance_minor))) >= 0


def test_concurrent_spends_in_separate_transactions_stop_at_zero(demo):
    owner, wallet_id = funded_wallet(demo, "10.00")
    orders = [new_order(demo, owner) for _ in range(8)]

    def attempt(order: Order) -> bool:
        uow = demo.uow()
        with uow:
            try:
                spend(uow.session, wallet_id, eur("2.50"), order.id, NOW)
            except PaymentDeclined:
                return False
            uow.commit()
            return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sum(pool.map(attempt, orders)) == 4
    assert balance(demo, wallet_id) == entries_sum(demo, wallet_id) == 0


def test_the_demo_passenger_has_fifty_euros(demo):
    with demo.session_factory() as session:
        [wallet] = session.scalars(select(Wallet)).all()
        assert (wallet.balance_minor, wallet.currency) == (5000, "EUR")
        assert [(e.kind, e.amount_minor) for e in history(session, wallet.id)] == [("topup", 5000)]
    [event] = events(demo, "WalletToppedUp")
    assert event.payload["amount_minor"] == 5000
    from webapp.demo import load_demo

    load_demo(demo.uow())  # loading again tops up nothing
    assert balance(demo, wallet.id) == 5000
    assert len(events(demo, "WalletToppedUp")) == 1
