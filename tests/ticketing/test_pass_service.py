"""Buying passes and getting tickets for covered journeys, on SQLite and PostgreSQL (demo tariff, format 2)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from core.access_tokens import hash_token
from core.errors import NoFareFound, PaymentDeclined, ValidationFailed
from core.outbox import SALE_PAID, OutboxEvent
from fares.price import ItineraryLeg
from tests.ticketing.recording_provider import RecordingProvider
from ticketing.models import Order, Payment
from ticketing.pass_models import PassHolding, PassTrip
from ticketing.passes import BuyPass, CardPayment, buy_pass, issue_covered_ticket
from ticketing.token import TicketSigner, verify_token

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=BERLIN)
CARD = CardPayment("card", "tok_ok")
SIGNER = TicketSigner(Ed25519PrivateKey.generate())


def buy(demo, product="day-all", category=None, start=MONDAY, provider=None, user_id=None, now=NOW):
    return buy_pass(demo.uow(), BuyPass(product, category, start, CARD, user_id), now, provider or RecordingProvider())


def leg(route, origin, destination, departure):
    return ItineraryLeg(route, origin, destination, departure, departure + timedelta(minutes=25))


def count(demo, model) -> int:
    with demo.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def sales(demo) -> int:
    with demo.session_factory() as session:
        return session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == SALE_PAID))


def test_a_day_pass_is_paid_once_and_its_sale_split_equally_among_all_operators(demo):
    provider = RecordingProvider()
    holding, token = buy(demo, provider=provider)

    assert provider.captured_minor == [1500]
    assert (holding.valid_from, holding.valid_until) == (datetime(2026, 3, 2, tzinfo=BERLIN),
                                                         datetime(2026, 3, 3, tzinfo=BERLIN))
    assert holding.scope == {"operators": None, "routes": None, "modes": None, "zones": None}
    assert holding.owner_token_hash == hash_token(token) and holding.owner_user_id is None
    with demo.session_factory() as session:
        order = session.get(Order, holding.order_id)
        payment = session.get(Payment, holding.payment_id)
        (event,) = session.scalars(select(OutboxEvent).where(OutboxEvent.type == SALE_PAID))
    assert (order.status, order.total_minor, payment.status, payment.amount_minor) == ("paid", 1500, "captured", 1500)
    assert event.payload["pass_id"] == holding.id and event.payload["ticket_id"] is None
    assert event.payload["amount_minor"] == 1500
    assert [(leg["operator_id"], leg["standalone_minor"]) for leg in event.payload["legs"]] == [
        ("BVB", 300), ("FAE", 300), ("RBA", 300), ("SWA", 300), ("TAL", 300)]


def test_a_zonal_week_pass_costs_the_category_discount_and_keeps_the_tariff_scope(demo):
    child, _ = buy(demo, "week-altheim", "child")
    senior, _ = buy(demo, "week-altheim", "senior")

    assert (child.amount_minor, senior.amount_minor) == (1200, 1800)  # 24.00 x 0.5 and x 0.75
    assert child.scope["zones"] == ["1", "2"] and child.rider_category == "child"
    assert child.valid_until - child.valid_from == timedelta(days=7)  # rolling, not a calendar week
    with demo.session_factory() as session:
        order = session.get(Order, child.order_id)
    assert [o["operator_id"] for o in order.breakdown["operators"]] == ["RBA", "SWA", "TAL"]
    assert sum(o["amount_minor"] for o in order.breakdown["operators"]) == 1200


def test_a_user_owns_the_pass_and_gets_no_guest_token(demo):
    holding, token = buy(demo, "month-bvb", user_id=42)

    assert token is None and holding.owner_user_id == 42 and holding.owner_token_hash is None
    assert holding.valid_until == datetime(2026, 4, 2, tzinfo=BERLIN)  # one month from the start date


def test_a_declined_card_keeps_the_declined_attempt_and_sells_nothing(demo):
    with pytest.raises(PaymentDeclined) as declined:
        buy(demo, provider=RecordingProvider(decline="card_declined"))

    assert declined.value.details == {"reason": "card_declined"}
    assert count(demo, PassHolding) == 0 and sales(demo) == 0
    with demo.session_factory() as session:
        payment = session.scalars(select(Payment)).one()
        assert (payment.status, payment.decline_reason) == ("declined", "card_declined")
        assert session.get(Order, payment.order_id).status == "declined"


def test_the_subscription_product_is_not_sold_as_a_single_pass(demo):
    with pytest.raises(ValidationFailed) as refused:
        buy(demo, "subscription-month-all")
    assert refused.value.code == "subscription_only"


@pytest.mark.parametrize(("product", "category", "start", "message"), [
    ("day-all", None, MONDAY - timedelta(days=1), "is in the past"),
    ("day-all", None, MONDAY + timedelta(days=61), "at most 60 days ahead"),
    ("year-all", None, MONDAY, "no pass product 'year-all'"),
])
def test_bad_purchases_are_refused_with_a_reason(demo, product, category, start, message):
    with pytest.raises(ValidationFailed, match=message):
        buy(demo, product, category, start)
    assert count(demo, Payment) == 0


def test_an_unknown_rider_category_is_refused(demo):
    with pytest.raises(NoFareFound) as refused:
        buy(demo, category="dog")
    assert refused.value.code == "unknown_rider_category"


def test_a_covered_journey_gets_a_signed_ticket_of_price_zero_without_payment_or_sale(demo):
    holding, _ = buy(demo, "week-altheim")
    departure = datetime(2026, 3, 4, 8, 0, tzinfo=BERLIN)
    payments, events = count(demo, Payment), sales(demo)

    trip = issue_covered_ticket(demo.uow(), holding.id, [
        leg("SWA11", "ALT_EICH_WALDWEG", "ALT_WEST", departure),
        leg("RE1", "ALT_WEST", "ALT_HBF", departure + timedelta(minutes=40)),
    ], NOW, SIGNER)

    assert (count(demo, Payment), sales(demo)) == (payments, events) == (1, 1)
    claims = verify_token(trip.token, SIGNER.public_key, now=departure)
    assert (claims["tid"], claims["pass"], claims["p"], claims["cur"]) == (trip.id, holding.id, "0.00", "EUR")
    assert claims["legs"] == [["SWA11", "ALT_EICH_WALDWEG", "ALT_WEST"], ["RE1", "ALT_WEST", "ALT_HBF"]]
    assert trip.valid_from == departure - timedelta(minutes=30)
    assert [leg["zones"] for leg in trip.legs] == [["2"], ["2", "1"]]


def test_a_journey_outside_the_pass_zones_is_refused_with_the_reason(demo):
    holding, _ = buy(demo, "week-altheim")

    with pytest.raises(NoFareFound) as refused:
        issue_covered_ticket(demo.uow(), holding.id, [
            leg("RE1", "ALT_HBF", "KIR_BF", datetime(2026, 3, 4, 8, 0, tzinfo=BERLIN))], NOW, SIGNER)

    assert refused.value.code == "not_covered_by_pass"
    assert refused.value.details["reasons"] == ["leg 0: passes zone(s) 3, outside the pass's zones 1, 2"]
    assert count(demo, PassTrip) == 0


def test_an_operator_pass_refuses_another_operator(demo):
    holding, _ = buy(demo, "month-bvb")
    with pytest.raises(NoFareFound, match="outside the pass's operators"):
        issue_covered_ticket(demo.uow(), holding.id, [
            leg("RE1", "LIN_BF", "BGS_BF", datetime(2026, 3, 4, 8, 0, tzinfo=BERLIN))], NOW, SIGNER)


def test_an_expired_pass_is_refused(demo):
    holding, _ = buy(demo, "day-all")
    next_day = datetime(2026, 3, 3, 9, 0, tzinfo=BERLIN)

    with pytest.raises(NoFareFound) as refused:
        issue_covered_ticket(demo.uow(), holding.id, [
            leg("T1", "ALT_OST", "ALT_MARKT", next_day + timedelta(hours=1))], next_day, SIGNER)

    assert refused.value.details["reasons"] == ["the pass expired at 2026-03-03T00:00:00+01:00"]


def test_a_ride_that_departed_long_ago_is_refused(demo):
    holding, _ = buy(demo, "day-all")
    with pytest.raises(ValidationFailed, match="departed"):
        issue_covered_ticket(demo.uow(), holding.id, [
            leg("T1", "ALT_OST", "ALT_MARKT", NOW - timedelta(minutes=11))], NOW, SIGNER)


def test_a_ticket_for_a_ride_without_times_is_valid_from_now_for_three_hours_but_not_beyond_the_pass(demo):
    holding, _ = buy(demo, "day-all")
    evening = datetime(2026, 3, 2, 22, 30, tzinfo=BERLIN)

    trip = issue_covered_ticket(demo.uow(), holding.id, [ItineraryLeg("T1", "ALT_OST", "ALT_MARKT")], evening,
                                SIGNER)

    assert (trip.valid_from, trip.valid_until) == (evening, datetime(2026, 3, 3, tzinfo=BERLIN))


def test_a_ticket_for_a_ride_without_an_arrival_lasts_three_hours_from_its_departure(demo):
    holding, _ = buy(demo, "day-all")
    departure = datetime(2026, 3, 2, 10, 0, tzinfo=BERLIN)

    trip = issue_covered_ticket(demo.uow(), holding.id, [ItineraryLeg("T1", "ALT_OST", "ALT_MARKT", departure)],
                                NOW, SIGNER)

    assert (trip.valid_from, trip.valid_until) == (departure - timedelta(minutes=30), departure + timedelta(hours=3))
