"""Clearing a SalePaid event into the ledger, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from clearing import services
from clearing.ledger import balances, ledger_total
from clearing.models import ClearingRecord, ClearingShare, Settlement
from clearing.reconciliation import reconcile
from clearing.settlement import settle_period
from core.db import new_id
from core.errors import Conflict

PAID_AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def sale_event(amount: int, legs: list[tuple[str, int]], paid_at: datetime = PAID_AT, event_id: str | None = None):
    sale_id = new_id()
    return {
        "id": event_id or new_id(),
        "type": "SalePaid",
        "created_at": paid_at.isoformat(),
        "payload": {
            "sale_id": sale_id, "payment_id": new_id(), "ticket_id": new_id(), "amount_minor": amount,
            "currency": "EUR", "paid_at": paid_at.isoformat(), "tariff_version_id": 1, "rider_category": "adult",
            "legs": [{"operator_id": op, "route_id": f"r-{op}", "standalone_minor": fare} for op, fare in legs],
        },
    }


def shares_of(runtime, sale_id: str) -> dict[str, int]:
    with runtime.session_factory() as session:
        rows = session.execute(
            select(ClearingShare.operator_id, ClearingShare.amount_minor)
            .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
            .where(ClearingRecord.sale_id == sale_id)
        )
        return dict(rows.all())


def test_sale_is_split_by_standalone_fares_and_booked_balanced(demo):
    event = sale_event(837, [("RBA", 450), ("SWA", 480)])
    assert services.clear_event(demo.uow(), event) == services.CLEARED
    assert shares_of(demo, event["payload"]["sale_id"]) == {"RBA": 405, "SWA": 432}
    with demo.session_factory() as session:
        assert ledger_total(session) == 0
        books = balances(session)
    assert books["psp_receivable:EUR"] == 837
    assert books["operator_payable:RBA:EUR"] == -405
    assert books["operator_payable:SWA:EUR"] == -432


def test_the_same_event_delivered_twice_is_cleared_once(demo):
    event = sale_event(710, [("SWA", 290), ("RBA", 590), ("BVB", 290)])
    assert services.clear_event(demo.uow(), event) == services.CLEARED
    assert services.clear_event(demo.uow(), event) == services.DUPLICATE
    with demo.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ClearingRecord)) == 1
        assert ledger_total(session) == 0
        assert balances(session)["psp_receivable:EUR"] == 710


def test_events_of_other_types_are_ignored(demo):
    assert services.clear_event(demo.uow(), {"id": new_id(), "type": "Something", "payload": {}}) == "ignored"


def test_reconciliation_of_cleared_sales_has_no_difference(demo):
    for amount in (710, 290, 1):
        services.clear_event(demo.uow(), sale_event(amount, [("RBA", 450), ("TAL", 290), ("SWA", 290)]))
    with demo.session_factory() as session:
        result = reconcile(session, "2026-03", "EUR", payments_minor=1001)
    assert result.operator_shares_minor == 1001
    assert result.difference_minor == 0
    with demo.session_factory() as session:
        assert reconcile(session, "2026-03", "EUR", payments_minor=1500).difference_minor == 499


def test_settlement_takes_late_shares_into_the_next_open_period(demo):
    services.clear_event(demo.uow(), sale_event(500, [("RBA", 1)]))
    march = settle_period(demo.uow(), "2026-03", ["RBA"], "EUR", PAID_AT)
    assert [(s.operator_id, s.total_minor, s.sales_count) for s in march] == [("RBA", 500, 1)]
    with pytest.raises(Conflict):
        settle_period(demo.uow(), "2026-03", ["RBA"], "EUR", PAID_AT)

    late = sale_event(300, [("RBA", 1)])  # a March sale cleared after March was closed
    services.clear_event(demo.uow(), late)
    april = settle_period(demo.uow(), "2026-04", ["RBA"], "EUR", PAID_AT)
    assert [(s.total_minor, s.sales_count) for s in april] == [(300, 1)]
    assert late["payload"]["sale_id"] in april[0].statement_csv
    with demo.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ClearingShare)
                              .where(ClearingShare.settlement_id.is_(None))) == 0
        assert session.scalar(select(func.count()).select_from(Settlement)) == 2


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sales=st.lists(
    st.tuples(st.integers(min_value=0, max_value=50_000),
              st.lists(st.tuples(st.sampled_from(["RBA", "SWA", "BVB", "TAL"]), st.integers(0, 5_000)),
                       min_size=1, max_size=4)),
    min_size=1, max_size=8))
def test_ledger_always_balances_and_shares_add_up(demo, sales):
    for amount, legs in sales:
        event = sale_event(amount, legs)
        services.clear_event(demo.uow(), event)
        assert sum(shares_of(demo, event["payload"]["sale_id"]).values()) == amount
    with demo.session_factory() as session:
        assert ledger_total(session) == 0


def test_commission_and_clearing_fee_are_taken_first_and_reconcile(demo):
    event = sale_event(1000, [("RBA", 600), ("SWA", 400)])
    event["payload"]["apportionment"] = {
        "method": "standalone_fares",
        "commission": {"channel": "app", "rate": "0.05", "fixed_minor": 0},
        "clearing_fee": {"rate": "0", "fixed_minor": 10},
    }
    services.clear_event(demo.uow(), event)
    # 1000 - 50 commission - 10 fee = 940, split 600:400 -> 564 / 376
    assert shares_of(demo, event["payload"]["sale_id"]) == {"RBA": 564, "SWA": 376}
    with demo.session_factory() as session:
        result = reconcile(session, "2026-03", "EUR", payments_minor=1000)
        assert (result.commissions_minor, result.fees_minor) == (50, 10)
        assert result.difference_minor == 0
        assert ledger_total(session) == 0


def test_a_full_refund_takes_back_commission_and_clearing_fee_in_proportion(demo):
    from clearing.refunds import reverse_sale

    event = sale_event(1000, [("RBA", 600), ("SWA", 400)])
    event["payload"]["apportionment"] = {
        "commission": {"channel": "app", "rate": "0.05", "fixed_minor": 0},
        "clearing_fee": {"rate": "0", "fixed_minor": 10},
    }
    services.clear_event(demo.uow(), event)
    refund = {"id": new_id(), "type": "SaleRefunded", "created_at": PAID_AT.isoformat(), "payload": {
        "refund_id": new_id(), "sale_id": event["payload"]["sale_id"], "amount_minor": 1000, "fee_minor": 0,
        "currency": "EUR", "refunded_at": PAID_AT.isoformat(), "payment_method": "card"}}
    uow = demo.uow()
    with uow:
        reverse_sale(uow.session, refund)
        uow.commit()
    with demo.session_factory() as session:
        books = balances(session)
        assert books["commission:app:EUR"] == 0 and books["clearing_fees:EUR"] == 0
        assert books["operator_payable:RBA:EUR"] == 0 and books["operator_payable:SWA:EUR"] == 0
        assert ledger_total(session) == 0
        result = reconcile(session, "2026-03", "EUR", payments_minor=1000, refunds_minor=1000)
        assert result.difference_minor == 0
