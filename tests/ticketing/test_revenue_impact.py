"""Re-pricing a period's sold journeys under a candidate tariff, per operator as clearing splits them.

On SQLite and PostgreSQL; sales go through the ticketing services and clearing.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from clearing.models import ClearingRecord, ClearingShare
from clearing.services import clear_event
from core.errors import NotFound, ValidationFailed
from core.outbox import OutboxEvent
from fares.services import import_native_tariff
from tests.ticketing.test_order_service import NOW, new_order, pay
from tests.webapp.tariff_files import DEMO_TARIFF, dearer_tariff_without_children
from ticketing.revenue_impact import default_period, simulate_revenue_impact

PERIOD = "2026-03"


def candidate(demo, text: str) -> int:
    with demo.uow() as uow:
        version = import_native_tariff(uow.session, text, "candidate.json")
        uow.commit()
        return version.id


def sell(demo, riders=("adult", "adult", "child")) -> dict[str, int]:
    """Paid and cleared sales of the RE1 + BVB21 journey; sale id -> amount."""
    sold = {}
    for minute, rider in enumerate(riders, start=1):
        order = new_order(demo, rider=rider)
        pay(demo, order.id, now=NOW + timedelta(minutes=minute))  # cleared in the order they were paid
        sold[order.id] = order.total_minor
    with demo.session_factory() as session:
        messages = [e.message() for e in session.scalars(select(OutboxEvent).where(OutboxEvent.type == "SalePaid")
                                                             .order_by(OutboxEvent.created_at))]
    for message in messages:
        clear_event(demo.uow(), message)
    return sold


def booked_shares(demo, sale_ids) -> dict[str, int]:
    with demo.session_factory() as session:
        rows = session.execute(
            select(ClearingShare.operator_id, ClearingShare.amount_minor)
            .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
            .where(ClearingRecord.sale_id.in_(list(sale_ids))))
        totals: dict[str, int] = {}
        for operator_id, amount in rows:
            totals[operator_id] = totals.get(operator_id, 0) + amount
        return totals


def test_the_same_tariff_again_changes_nothing_and_the_paid_shares_are_those_clearing_booked(demo):
    sold = sell(demo)
    with demo.session_factory() as session:
        impact = simulate_revenue_impact(session, candidate(demo, DEMO_TARIFF), PERIOD)
    assert (impact.journeys, impact.compared, impact.unpriced_count, impact.passes) == (3, 3, 0, 0)
    assert impact.paid_minor == sum(sold.values()) == impact.candidate_minor
    assert all(o.difference_minor == 0 for o in impact.operators)
    assert {o.operator_id: o.paid_minor for o in impact.operators} == booked_shares(demo, sold)


def test_a_dearer_candidate_raises_the_shares_and_lists_the_journeys_it_cannot_price(demo):
    sold = sell(demo)
    adult = [sale for sale, amount in sold.items() if amount == max(sold.values())]
    child = [sale for sale in sold if sale not in adult]
    with demo.session_factory() as session:
        impact = simulate_revenue_impact(session, candidate(demo, dearer_tariff_without_children().decode()), PERIOD)
    assert (impact.journeys, impact.compared, impact.unpriced_count) == (3, 2, 1)
    assert [u.order_id for u in impact.unpriced] == child
    assert "unknown rider category 'child'" in impact.unpriced[0].reason
    assert impact.unpriced_paid_minor == sold[child[0]]
    assert impact.paid_minor == sum(sold[sale] for sale in adult)
    assert {o.operator_id: o.paid_minor for o in impact.operators} == booked_shares(demo, adult)
    assert impact.candidate_minor - impact.paid_minor == 2 * 50  # 4 zones: 6.40 instead of 5.90
    assert sum(o.candidate_minor for o in impact.operators) + impact.candidate_deductions_minor \
        == impact.candidate_minor
    assert all(o.difference_minor >= 0 for o in impact.operators)


def test_a_period_without_sales_compares_nothing(demo):
    sell(demo, riders=("adult",))
    with demo.session_factory() as session:
        impact = simulate_revenue_impact(session, candidate(demo, DEMO_TARIFF), "2026-04")
    assert (impact.journeys, impact.compared, impact.operators, impact.paid_minor) == (0, 0, (), 0)


def test_unknown_versions_and_malformed_periods_are_refused(demo):
    with demo.session_factory() as session:
        with pytest.raises(NotFound):
            simulate_revenue_impact(session, 999, PERIOD)
        with pytest.raises(ValidationFailed):
            simulate_revenue_impact(session, 1, "March")


def test_the_default_period_is_last_month_when_it_sold_anything(demo):
    with demo.session_factory() as session:
        assert default_period(session, NOW) == PERIOD  # nothing sold yet: this month
    sell(demo, riders=("adult",))
    with demo.session_factory() as session:
        assert default_period(session, datetime(2026, 4, 9, tzinfo=UTC)) == PERIOD
        assert default_period(session, NOW + timedelta(days=70)) == "2026-05"
