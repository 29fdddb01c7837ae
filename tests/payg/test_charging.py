"""One charge per account and day, adjustments for late taps, declines, wallets, the week cap (both databases)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from clearing.ledger import balances, ledger_total
from clearing.models import ClearingRecord
from clearing.periods import parse_period
from clearing.reconciliation import reconcile
from clearing.tasks import publish_event
from clearing.worker import configure
from core.money import Money
from core.outbox import PAYG_DAY_CHARGED, OutboxEvent, relay_pending
from payg.charging import charge_accounts
from payg.models import PaygAccount, PaygCharge
from payg.services import (
    OpenAccount,
    charge_day,
    correct_late_taps,
    day_charges,
    ingest,
    open_account,
    payg_money,
    tariff_view,
)
from tests.payg.rides import at, ride
from ticketing.payment_providers import SandboxCardProvider
from ticketing.wallets import Wallet, open_wallet, top_up

MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def card(demo):  # type: ignore[no-untyped-def]
    open_account(demo.uow(), OpenAccount("card-1", "adult", "card", "tok_ok"), at(MONDAY, "05:00"))
    return demo


def busy_day(account: str, day: date) -> list[dict]:
    """Four rides on three operators: 4.80 + 2.90 + 2.90 + 4.80 = 15.40 uncapped."""
    return (ride(account, "RE1", "WES_BF", "ALT_HBF", day, "07:00", "07:30")
            + ride(account, "T1", "ALT_WALDSIEDLUNG", "ALT_GARTENSTADT", day, "10:00", "10:20")
            + ride(account, "BVB21", "BGS_BF", "BGS_MARKT", day, "13:00", "13:10")
            + ride(account, "RE1", "ALT_HBF", "WES_BF", day, "17:00", "17:30"))


def run(rt, day, now, provider=None):  # type: ignore[no-untyped-def]
    return charge_day(rt.uow(), day, provider or SandboxCardProvider(), rt.settings, now)


def charges(rt, account, day):  # type: ignore[no-untyped-def]
    with rt.session_factory() as session:
        return day_charges(session, account, day)


def test_a_day_is_charged_once_at_the_cap_with_a_statement_of_each_journey(card):
    ingest(card.uow(), busy_day("card-1", MONDAY), card.settings, at(MONDAY, "23:00"))
    provider = SandboxCardProvider()
    first = run(card, MONDAY, at(TUESDAY, "05:00"), provider)
    again = run(card, MONDAY, at(TUESDAY, "06:00"), provider)
    assert (first.charged, first.collected_minor, again.unchanged, again.collected_minor) == (1, 900, 1, 0)
    (charge,) = charges(card, "card-1", MONDAY)
    assert (charge.kind, charge.amount_minor, charge.uncapped_minor) == ("charge", 900, 1540)
    assert provider.capture_count(charge.id) == 1
    statement = charge.statement
    assert statement["caps_applied"] == ["day-cap"]
    assert [j["fare"] for j in statement["journeys"]] == ["4.80", "2.90", "2.90", "4.80"]
    assert sum(j["charged_minor"] for j in statement["journeys"]) == 900


def test_late_taps_after_the_charge_give_an_adjustment_never_a_second_full_charge(card):
    ingest(card.uow(), ride("card-1", "T1", "ALT_WALDSIEDLUNG", "ALT_GARTENSTADT", MONDAY, "08:00", "08:20"),
           card.settings, at(MONDAY, "23:00"))
    provider = SandboxCardProvider()
    run(card, MONDAY, at(TUESDAY, "05:00"), provider)
    late = ride("card-1", "RE1", "WES_BF", "ALT_HBF", MONDAY, "18:00", "18:30")
    ingest(card.uow(), late, card.settings, at(TUESDAY, "09:00"))
    corrected = correct_late_taps(card.uow(), provider, card.settings, at(TUESDAY, "10:00"), TUESDAY)
    assert (corrected.adjusted, corrected.collected_minor) == (1, 480)
    first, adjustment = charges(card, "card-1", MONDAY)
    assert (first.amount_minor, adjustment.kind, adjustment.amount_minor, adjustment.day_total_minor) == \
        (290, "adjustment", 480, 770)
    assert correct_late_taps(card.uow(), provider, card.settings, at(TUESDAY, "11:00"), TUESDAY).adjusted == 0


def test_a_late_tap_out_lowers_a_maximum_fare_and_the_difference_goes_back_to_the_card(card):
    tap_in = ride("card-1", "RE1", "WES_BF", None, MONDAY, "07:00")
    ingest(card.uow(), tap_in, card.settings, at(MONDAY, "23:00"))
    provider = SandboxCardProvider()
    run(card, MONDAY, at(TUESDAY, "05:00"), provider)
    (first,) = charges(card, "card-1", MONDAY)
    assert first.amount_minor == 710 and first.statement["journeys"][0]["max_fare_rule"]
    tap_out = ride("card-1", "RE1", "ALT_HBF", "ALT_HBF", MONDAY, "07:30", "07:30")[1]
    ingest(card.uow(), [tap_out], card.settings, at(TUESDAY, "09:00"))
    correct_late_taps(card.uow(), provider, card.settings, at(TUESDAY, "10:00"), TUESDAY)
    _, refund = charges(card, "card-1", MONDAY)
    assert (refund.status, refund.amount_minor, refund.day_total_minor) == ("refunded", -230, 480)
    assert provider.refunded_minor(first.id) == 230


def test_a_declined_card_leaves_the_day_due_and_a_later_run_charges_it_once(demo):
    open_account(demo.uow(), OpenAccount("card-2", "adult", "card", "tok_declined"), at(MONDAY, "05:00"))
    ingest(demo.uow(), busy_day("card-2", MONDAY), demo.settings, at(MONDAY, "23:00"))
    assert run(demo, MONDAY, at(TUESDAY, "05:00")).declined == 1
    with demo.session_factory() as session:  # the rider updates the card
        session.get(PaygAccount, "card-2").card_token = "tok_ok"
        session.commit()
    assert run(demo, MONDAY, at(TUESDAY, "06:00")).collected_minor == 900
    assert [(c.status, c.amount_minor) for c in charges(demo, "card-2", MONDAY)] == [("declined", 900),
                                                                                      ("captured", 900)]


def test_a_wallet_pays_the_day_and_an_empty_wallet_declines(demo):
    wallet, _ = open_wallet(demo.uow(), 9001, "EUR", at(MONDAY, "05:00"))
    top_up(demo.uow(), wallet.id, Money(1000, "EUR"), "tok_ok", SandboxCardProvider(), at(MONDAY, "05:00"))
    open_account(demo.uow(), OpenAccount("wallet-1", "adult", "wallet", wallet_id=wallet.id), at(MONDAY, "05:00"))
    ingest(demo.uow(), busy_day("wallet-1", MONDAY), demo.settings, at(MONDAY, "23:00"))
    assert run(demo, MONDAY, at(TUESDAY, "05:00")).collected_minor == 900
    ingest(demo.uow(), busy_day("wallet-1", TUESDAY), demo.settings, at(TUESDAY, "23:00"))
    assert run(demo, TUESDAY, at(TUESDAY + timedelta(days=1), "05:00")).declined == 1
    with demo.session_factory() as session:
        assert session.get(Wallet, wallet.id).balance_minor == 100


def test_a_late_tap_on_monday_moves_the_week_cap_and_adjusts_the_later_days(card):
    provider = SandboxCardProvider()
    for offset in range(4):
        day = MONDAY + timedelta(days=offset)
        ingest(card.uow(), busy_day("card-1", day), card.settings, at(day, "23:00"))
        run(card, day, at(day + timedelta(days=1), "05:00"), provider)
    friday = MONDAY + timedelta(days=4)
    ingest(card.uow(), ride("card-1", "T1", "ALT_WALDSIEDLUNG", "ALT_GARTENSTADT", friday, "08:00", "08:20"),
           card.settings, at(friday, "23:00"))
    run(card, friday, at(friday + timedelta(days=1), "05:00"), provider)
    assert [c.amount_minor for c in charges(card, "card-1", friday)] == [0]  # the week cap of 36.00 is full
    with card.session_factory() as session:
        week = sum(c.amount_minor for c in session.scalars(select(PaygCharge)))
    assert week == 3600


def test_charges_are_cleared_into_a_balanced_ledger_shared_by_uncapped_fares(card):
    ingest(card.uow(), busy_day("card-1", MONDAY), card.settings, at(MONDAY, "23:00"))
    provider = SandboxCardProvider()
    run(card, MONDAY, at(TUESDAY, "05:00"), provider)
    ingest(card.uow(), ride("card-1", "T1", "ALT_WALDSIEDLUNG", "ALT_GARTENSTADT", MONDAY, "20:00", "20:20"),
           card.settings, at(TUESDAY, "08:00"))
    correct_late_taps(card.uow(), provider, card.settings, at(TUESDAY, "09:00"), TUESDAY)
    configure(card.settings)
    relay_pending(card.session_factory, publish_event)
    with card.session_factory() as session:
        assert session.scalar(select(OutboxEvent.type).where(OutboxEvent.published_at.is_(None))) is None
        records = session.scalars(select(ClearingRecord).where(ClearingRecord.event_type == PAYG_DAY_CHARGED)).all()
        books = balances(session)
        assert ledger_total(session) == 0
    # the late ride is under the cap: the rider pays nothing more, but TAL carried one more ride
    assert [r.amount_minor for r in records] == [900, 0]
    # 9.00 shared by the uncapped fares RBA 9.60, TAL 5.80, BVB 2.90 (18.30), largest remainder
    assert books["operator_payable:RBA:EUR"] == -472
    assert books["operator_payable:TAL:EUR"] == -285
    assert books["operator_payable:BVB:EUR"] == -143
    assert books["psp_receivable:EUR"] == 5000 + 900  # the demo wallet top-up, and this day


ROUTES = [("RE1", "WES_BF", "ALT_HBF"), ("T1", "ALT_WALDSIEDLUNG", "ALT_GARTENSTADT"), ("BVB21", "BGS_BF", "BGS_MARKT"),
          ("RE1", "ALT_HBF", None)]
_accounts = iter(range(10**6))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(5 * 60, 23 * 60), st.integers(0, len(ROUTES) - 1)), max_size=8),
       st.randoms(use_true_random=False))
def test_replaying_the_days_events_gives_the_same_charge(demo, rides, rng):
    account = f"prop-{next(_accounts)}"
    open_account(demo.uow(), OpenAccount(account, "adult", "card", "tok_ok"), at(MONDAY, "05:00"))
    taps = [tap for minute, index in rides for tap in ride(
        account, ROUTES[index][0], ROUTES[index][1], ROUTES[index][2], MONDAY,
        f"{minute // 60:02d}:{minute % 60:02d}", f"{minute // 60:02d}:{minute % 60:02d}")]
    ingest(demo.uow(), taps, demo.settings, at(MONDAY, "23:59"))
    provider = SandboxCardProvider()
    first = charge_day(demo.uow(), MONDAY, provider, demo.settings, at(TUESDAY, "05:00"), account_ids=[account])
    replay = taps[:]
    rng.shuffle(replay)
    assert ingest(demo.uow(), replay, demo.settings, at(TUESDAY, "06:00")).accepted == 0
    again = charge_day(demo.uow(), MONDAY, provider, demo.settings, at(TUESDAY, "07:00"), account_ids=[account])
    corrected = correct_late_taps(demo.uow(), provider, demo.settings, at(TUESDAY, "08:00"), TUESDAY)
    paid = sum(c.amount_minor for c in charges(demo, account, MONDAY))
    assert paid == first.collected_minor <= 900
    assert again.collected_minor == again.given_back_minor == corrected.collected_minor == 0


def test_money_given_back_by_an_adjustment_is_taken_back_from_the_operators_and_reconciles(card):
    ingest(card.uow(), ride("card-1", "RE1", "WES_BF", None, MONDAY, "07:00")
           + ride("card-1", "T1", "ALT_WALDSIEDLUNG", "ALT_GARTENSTADT", MONDAY, "12:00", "12:20"),
           card.settings, at(MONDAY, "23:00"))
    provider = SandboxCardProvider()
    run(card, MONDAY, at(TUESDAY, "05:00"), provider)  # 7.10 (maximum fare) + 2.90, capped at 9.00
    tap_out = ride("card-1", "RE1", "ALT_HBF", "ALT_HBF", MONDAY, "07:30", "07:30")[1]
    ingest(card.uow(), [tap_out], card.settings, at(TUESDAY, "09:00"))
    correct_late_taps(card.uow(), provider, card.settings, at(TUESDAY, "10:00"), TUESDAY)  # 4.80 + 2.90
    configure(card.settings)
    relay_pending(card.session_factory, publish_event)
    start, end = parse_period("2026-11")
    with card.session_factory() as session:
        collected, given_back = payg_money(session, start, end, "EUR")
        result = reconcile(session, "2026-11", "EUR", collected, given_back)
        books = balances(session)
    assert (collected, given_back) == (900, 130)
    assert result.difference_minor == 0 and result.ledger_total_minor == 0
    assert result.operator_shares_minor == 770
    # 7.70 split by the uncapped fares RBA 4.80, TAL 2.90
    assert (books["operator_payable:RBA:EUR"], books["operator_payable:TAL:EUR"]) == (-480, -290)


def test_a_run_lost_before_its_commit_does_not_capture_twice_when_run_again(card):
    ingest(card.uow(), busy_day("card-1", MONDAY), card.settings, at(MONDAY, "23:00"))
    provider = SandboxCardProvider()
    with card.session_factory() as session:
        account = session.get(PaygAccount, "card-1")
        charge_accounts(session, [account], MONDAY, tariff_view(session), provider, at(TUESDAY, "05:00"),
                        timedelta(minutes=60))
        session.rollback()  # the process died after the capture, before the commit
    run(card, MONDAY, at(TUESDAY, "06:00"), provider)
    (charge,) = charges(card, "card-1", MONDAY)
    assert (provider.attempts(charge.id), provider.capture_count(charge.id)) == (2, 1)
