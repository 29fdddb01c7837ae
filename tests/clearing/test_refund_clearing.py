"""Clearing SaleRefunded events: reversed shares, kept fees, settlement, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from clearing import services
from clearing.ledger import balances, ledger_total
from clearing.models import ClearingRecord, ClearingShare, LedgerTransaction
from clearing.reconciliation import reconcile
from clearing.refunds import SaleNotClearedYet, held_of_sale
from clearing.settlement import settle_period
from clearing.tasks import clear_event as clear_event_task
from core.db import new_id
from tests.clearing.test_clearing_service import PAID_AT, sale_event

MARCH_REFUND = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
APRIL_REFUND = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)


def refund_event(sale: dict, amount: int, fee: int = 0, at: datetime = MARCH_REFUND, method: str = "card"):
    return {
        "id": new_id(),
        "type": "SaleRefunded",
        "created_at": at.isoformat(),
        "payload": {
            "refund_id": new_id(), "sale_id": sale["payload"]["sale_id"], "amount_minor": amount,
            "currency": "EUR", "fee_minor": fee, "refunded_at": at.isoformat(), "payment_method": method,
        },
    }


def clear(demo, event) -> str:
    return services.clear_event(demo.uow(), event)


def reversed_shares(demo, event) -> dict[str, int]:
    with demo.session_factory() as session:
        rows = session.execute(
            select(ClearingShare.operator_id, ClearingShare.amount_minor)
            .join(ClearingRecord, ClearingShare.record_id == ClearingRecord.id)
            .where(ClearingRecord.event_id == event["id"])
        )
        return dict(rows.all())


def held(demo, sale) -> dict[str, int]:
    with demo.session_factory() as session:
        return held_of_sale(session, sale["payload"]["sale_id"])


def test_a_refund_takes_the_shares_back_in_proportion_and_the_fee_stays_with_the_association(demo):
    sale = sale_event(837, [("RBA", 450), ("SWA", 480)])  # shares RBA 405, SWA 432
    clear(demo, sale)
    refund = refund_event(sale, amount=400, fee=100)
    assert clear(demo, refund) == services.CLEARED
    # 500 in proportion 405 : 432 is 241.94 : 258.06; the cent left over goes to the larger remainder.
    assert reversed_shares(demo, refund) == {"RBA": -242, "SWA": -258}
    assert held(demo, sale) == {"RBA": 163, "SWA": 174}
    with demo.session_factory() as session:
        assert ledger_total(session) == 0
        books = balances(session)
        record = session.scalars(select(ClearingRecord).where(ClearingRecord.event_id == refund["id"])).one()
        transaction = session.get(LedgerTransaction, record.transaction_id)
    assert books["psp_receivable:EUR"] == 837 - 400
    assert books["refund_fees:EUR"] == -100
    assert books["operator_payable:RBA:EUR"] == -405 + 242
    assert books["operator_payable:SWA:EUR"] == -432 + 258
    assert (record.event_type, record.amount_minor, record.sale_period) == ("SaleRefunded", -500, "2026-03")
    assert transaction.reference == f"refund:{refund['payload']['refund_id']}"


def test_a_wallet_refund_goes_back_to_the_wallet_liability(demo):
    sale = sale_event(600, [("TAL", 1)])
    sale["payload"]["payment_method"] = "wallet"
    clear(demo, sale)
    clear(demo, refund_event(sale, amount=550, fee=50, method="wallet"))
    with demo.session_factory() as session:
        books = balances(session)
        assert ledger_total(session) == 0
    assert books["wallet_liability:EUR"] == 600 - 550  # the sale spent 6.00 of it, 5.50 came back
    assert books["operator_payable:TAL:EUR"] == 0
    assert books["refund_fees:EUR"] == -50
    assert "psp_receivable:EUR" not in books


def test_several_partial_refunds_never_take_more_from_an_operator_than_it_received(demo):
    sale = sale_event(3, [("BVB", 100), ("RBA", 100), ("SWA", 100)])  # one cent each
    clear(demo, sale)
    taken = []
    for _ in range(3):
        refund = refund_event(sale, amount=1)
        clear(demo, refund)
        taken.append(reversed_shares(demo, refund))
    # The split alone would take the first cent from BVB every time (equal weights: earlier id wins).
    assert taken == [{"BVB": -1}, {"RBA": -1}, {"SWA": -1}]
    assert held(demo, sale) == {"BVB": 0, "RBA": 0, "SWA": 0}


def test_a_full_refund_after_partial_ones_returns_every_share_exactly(demo):
    sale = sale_event(710, [("SWA", 290), ("RBA", 590), ("BVB", 290)])
    clear(demo, sale)
    for amount in (101, 7, 333):
        clear(demo, refund_event(sale, amount=amount, fee=3))
    left = sum(held(demo, sale).values())
    assert left == 710 - (104 + 10 + 336)
    clear(demo, refund_event(sale, amount=left - 20, fee=20, at=APRIL_REFUND))
    assert held(demo, sale) == {"BVB": 0, "RBA": 0, "SWA": 0}
    with demo.session_factory() as session:
        assert ledger_total(session) == 0
        books = balances(session)
    assert books["refund_fees:EUR"] == -(3 * 3 + 20)
    assert books["psp_receivable:EUR"] == 3 * 3 + 20  # what the card kept is exactly the fees


def test_replaying_a_refund_event_changes_nothing(demo):
    sale = sale_event(837, [("RBA", 450), ("SWA", 480)])
    clear(demo, sale)
    refund = refund_event(sale, amount=300, fee=37)
    assert clear(demo, refund) == services.CLEARED
    with demo.session_factory() as session:
        before = balances(session)
    assert clear(demo, refund) == services.DUPLICATE
    with demo.session_factory() as session:
        assert balances(session) == before
        assert session.scalar(select(func.count()).select_from(ClearingRecord)) == 2
        assert session.scalar(select(func.count()).select_from(ClearingShare)) == 4
    assert held(demo, sale) == {"RBA": 405 - 163, "SWA": 432 - 174}  # 337 as 163.06 : 173.94


def test_a_refund_that_overtakes_its_sale_fails_retryably_and_writes_nothing(demo):
    sale = sale_event(500, [("RBA", 1)])
    refund = refund_event(sale, amount=500)
    with pytest.raises(SaleNotClearedYet) as early:
        clear(demo, refund)
    assert isinstance(early.value, clear_event_task.autoretry_for)  # the Celery task retries it with backoff
    assert "is not cleared yet" in str(early.value)
    with demo.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ClearingRecord)) == 0
        assert session.scalar(select(func.count()).select_from(LedgerTransaction)) == 0
    clear(demo, sale)
    assert clear(demo, refund) == services.CLEARED
    assert held(demo, sale) == {"RBA": 0}


def test_a_refund_larger_than_what_the_operators_still_hold_is_not_booked(demo):
    sale = sale_event(500, [("RBA", 1)])
    clear(demo, sale)
    clear(demo, refund_event(sale, amount=400))
    with pytest.raises(ValueError, match="hold only 100"):
        clear(demo, refund_event(sale, amount=101))
    assert held(demo, sale) == {"RBA": 100}


def test_settlement_of_a_later_period_subtracts_the_refund(demo):
    sale = sale_event(837, [("RBA", 450), ("SWA", 480)])
    clear(demo, sale)
    march = {s.operator_id: s.total_minor for s in settle_period(demo.uow(), "2026-03", ["RBA", "SWA"], "EUR",
                                                                 PAID_AT)}
    assert march == {"RBA": 405, "SWA": 432}
    clear(demo, refund_event(sale, amount=400, fee=100, at=APRIL_REFUND))
    april = settle_period(demo.uow(), "2026-04", ["RBA", "SWA"], "EUR", APRIL_REFUND)
    assert {s.operator_id: (s.total_minor, s.sales_count) for s in april} == {"RBA": (-242, 1), "SWA": (-258, 1)}
    rba = next(s for s in april if s.operator_id == "RBA")
    assert f"RBA,2026-04,{sale['payload']['sale_id']},2026-04-02,2026-04,-5.00,-2.42,EUR" in rba.statement_csv


def test_settlement_of_the_same_period_nets_sale_and_refund(demo):
    sale = sale_event(837, [("RBA", 450), ("SWA", 480)])
    clear(demo, sale)
    clear(demo, refund_event(sale, amount=400, fee=100, at=MARCH_REFUND))
    march = settle_period(demo.uow(), "2026-03", ["RBA", "SWA"], "EUR", MARCH_REFUND)
    assert {s.operator_id: s.total_minor for s in march} == {"RBA": 405 - 242, "SWA": 432 - 258}


def test_reconciliation_accounts_for_reversed_shares_and_kept_fees(demo):
    sale = sale_event(837, [("RBA", 450), ("SWA", 480)])
    clear(demo, sale)
    clear(demo, refund_event(sale, amount=400, fee=100, at=MARCH_REFUND))
    clear(demo, refund_event(sale, amount=200, fee=37, at=APRIL_REFUND))
    with demo.session_factory() as session:
        march = reconcile(session, "2026-03", "EUR", payments_minor=837, refunds_minor=400)
        april = reconcile(session, "2026-04", "EUR", payments_minor=0, refunds_minor=200)
    assert (march.operator_shares_minor, march.reversed_shares_minor, march.fees_minor) == (337, 500, 100)
    assert march.cleared_sales_minor == 837
    assert march.difference_minor == 0
    assert (april.operator_shares_minor, april.reversed_shares_minor, april.fees_minor) == (-237, 237, 37)
    assert april.difference_minor == 0
    assert march.ledger_total_minor == 0
