"""Carried sub-cent remainders: no operator is favoured over many cheap fares, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from datetime import UTC, datetime
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from clearing import services
from clearing.apportionment import Rule, SaleLeg, apportion, entitle
from clearing.carry import CARRY_SCALE, ClearingCarry, carries_of, round_with_carry
from clearing.ledger import balances, ledger_total
from clearing.models import ClearingRecord, ClearingShare
from core.db import new_id
from core.outbox import SALE_PAID, OutboxEvent
from tests.webapp.test_thin_path_api import first_option, order, pay

PAID_AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
THIRDS = [SaleLeg("A", 1), SaleLeg("B", 1), SaleLeg("C", 1)]


def run_with_carry(sales: list[tuple[int, list[SaleLeg]]]):
    """Yield (cumulative shares, cumulative exact entitlement) after every sale."""
    carries: dict[str, int] = {}
    got: dict[str, int] = {}
    exact: dict[str, Fraction] = {}
    for amount, legs in sales:
        entitlement = entitle(amount, legs, Rule())
        carried = round_with_carry(entitlement, carries)
        carries.update(carried.carries)
        for op, part in zip(entitlement.operator_ids, carried.parts, strict=True):
            assert part >= 0
            got[op] = got.get(op, 0) + part
        for op, value in entitlement.exact().items():
            exact[op] = exact.get(op, Fraction(0)) + value
        yield dict(got), dict(exact), dict(carries)


def test_without_the_carry_the_earliest_operator_gets_every_leftover_cent():
    totals = {"A": 0, "B": 0, "C": 0}
    for _ in range(1_000):
        for share in apportion(10, THIRDS, Rule()).shares:
            totals[share.operator_id] += share.amount_minor
    assert totals == {"A": 4_000, "B": 3_000, "C": 3_000}


def test_with_the_carry_1000_sales_of_ten_cents_split_1_1_1_stay_within_a_cent_of_exact_at_every_step():
    steps = list(run_with_carry([(10, THIRDS)] * 1_000))
    for got, exact, _ in steps:
        assert all(abs(got[op] - exact[op]) < 1 for op in "ABC")
    final, _, carries = steps[-1]
    assert sorted(final.values()) == [3_333, 3_333, 3_334]
    assert sum(final.values()) == 10_000
    assert sum(carries.values()) == 0
    first_three = [steps[i][0] for i in range(3)]
    assert first_three == [{"A": 4, "B": 3, "C": 3}, {"A": 7, "B": 7, "C": 6}, {"A": 10, "B": 10, "C": 10}]


def test_an_operator_that_takes_no_part_in_a_sale_keeps_its_carry():
    carried = round_with_carry(entitle(10, [SaleLeg("A", 1), SaleLeg("B", 0)], Rule()), {"B": -CARRY_SCALE // 2})
    assert carried.parts == (10, 0)
    assert carried.carries == {"A": 0}


same_operators_st = st.lists(
    st.tuples(st.integers(0, 80), st.lists(st.integers(1, 9), min_size=3, max_size=3).map(
        lambda ws: [SaleLeg(op, w) for op, w in zip("ABC", ws, strict=True)])),
    min_size=1, max_size=80,
)
mixed_st = st.lists(
    st.tuples(st.integers(0, 50), st.lists(st.builds(SaleLeg, st.sampled_from("ABCD"), st.integers(0, 7)),
                                           min_size=1, max_size=4)),
    min_size=1, max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(sales=same_operators_st)
def test_the_carry_keeps_every_prefix_of_cumulative_shares_within_one_cent_of_exact(sales):
    for got, exact, carries in run_with_carry(sales):
        assert sum(got.values()) == sum(exact.values())
        for op, value in got.items():
            assert abs(value - exact[op]) < 1
        assert sum(carries.values()) == 0


@settings(max_examples=300, deadline=None)
@given(sales=mixed_st)
def test_with_changing_operators_the_carry_still_splits_exactly_and_stays_near_exact(sales):
    for got, exact, carries in run_with_carry(sales):
        assert sum(got.values()) == sum(exact.values())
        for op, value in got.items():
            assert abs(value - exact[op]) < 2
        assert sum(carries.values()) == 0


def test_a_sale_between_operators_owed_more_than_it_brings_pays_them_all_it_has():
    entitlement = entitle(1, [SaleLeg("A", 1), SaleLeg("B", 1)], Rule())
    carried = round_with_carry(entitlement, {"A": CARRY_SCALE * 9 // 10, "B": CARRY_SCALE * 9 // 10})
    assert carried.parts == (1, 0)
    assert carried.carries == {"A": CARRY_SCALE * 4 // 10, "B": CARRY_SCALE * 14 // 10}


# --- clearing on the database -------------------------------------------------------------------------


def sale_event(amount: int, legs: list[tuple[str, int]], apportionment: dict | None = None):
    payload = {
        "sale_id": new_id(), "payment_id": new_id(), "ticket_id": new_id(), "amount_minor": amount,
        "currency": "EUR", "payment_method": "card", "paid_at": PAID_AT.isoformat(), "tariff_version_id": 1,
        "rider_category": "adult",
        "legs": [{"operator_id": op, "route_id": f"r-{op}", "standalone_minor": fare, "distance_m": None,
                  "zones": 1} for op, fare in legs],
    }
    if apportionment is not None:
        payload["apportionment"] = apportionment
    return {"id": new_id(), "type": SALE_PAID, "created_at": PAID_AT.isoformat(), "payload": payload}


def share_totals(runtime) -> dict[str, int]:
    with runtime.session_factory() as session:
        totals: dict[str, int] = {}
        for op, amount in session.execute(select(ClearingShare.operator_id, ClearingShare.amount_minor)):
            totals[op] = totals.get(op, 0) + amount
        return totals


THREE = [("BVB", 100), ("RBA", 100), ("SWA", 100)]
# 10 cents split 1:1:1, in CARRY_SCALE units: the first operator's exact share is rounded up (largest remainder).
TENTH_THIRDS = {"BVB": 3_333_333_333_334, "RBA": 3_333_333_333_333, "SWA": 3_333_333_333_333}


def test_cleared_cheap_sales_share_the_leftover_cents_and_store_the_carries(demo):
    for _ in range(30):
        assert services.clear_event(demo.uow(), sale_event(10, THREE)) == services.CLEARED
    assert share_totals(demo) == {"BVB": 100, "RBA": 100, "SWA": 100}
    with demo.session_factory() as session:
        carries = carries_of(session, "2026-03", "EUR")
        assert ledger_total(session) == 0
    assert carries == {op: 30 * units - 100 * CARRY_SCALE for op, units in TENTH_THIRDS.items()}
    assert sum(carries.values()) == 0


def test_commission_and_clearing_fee_are_booked_to_their_accounts(demo):
    rule = {"method": "standalone_fares", "commission": {"channel": "kiosk", "rate": "1/50", "fixed_minor": 5},
            "clearing_fee": {"rate": "1/100", "fixed_minor": 0}}
    event = sale_event(1_000, [("RBA", 100), ("SWA", 100)], rule)
    assert services.clear_event(demo.uow(), event) == services.CLEARED
    with demo.session_factory() as session:
        books = balances(session)
        assert ledger_total(session) == 0
        record = session.scalars(select(ClearingRecord).where(
            ClearingRecord.sale_id == event["payload"]["sale_id"])).one()
        assert record.amount_minor == 1_000
    assert books["commission:kiosk:EUR"] == -25
    assert books["clearing_fees:EUR"] == -10
    assert books["operator_payable:RBA:EUR"] == -483
    assert books["operator_payable:SWA:EUR"] == -482
    assert books["psp_receivable:EUR"] == 1_000


def test_two_workers_clearing_the_same_operators_at_once_lose_no_carry_update(demo):
    per_worker, workers = 15, 3
    events = [[sale_event(10, THREE) for _ in range(per_worker)] for _ in range(workers)]
    assert services.clear_event(demo.uow(), sale_event(10, THREE)) == services.CLEARED  # accounts exist
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def work(batch):
        try:
            start.wait()
            for event in batch:
                assert services.clear_event(demo.uow(), event) == services.CLEARED
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(batch,)) for batch in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    sales = per_worker * workers + 1
    totals = share_totals(demo)
    with demo.session_factory() as session:
        carries = carries_of(session, "2026-03", "EUR")
        lanes = session.execute(select(ClearingCarry.lane, ClearingCarry.operator_id, ClearingCarry.carry_units)
                                .where(ClearingCarry.period == "2026-03")).all()
    assert sum(totals.values()) == 10 * sales
    # Every sale's exact share went either into a cent or into the carry: a lost update would break this.
    for op, units in TENTH_THIRDS.items():
        assert totals[op] * CARRY_SCALE + carries[op] == sales * units
    # Workers in different lanes (ledger chains) keep a carry each: within one cent per lane.
    assert all(abs(units) < CARRY_SCALE for _lane, _op, units in lanes)
    for lane in {lane for lane, _op, _units in lanes}:
        assert sum(units for other, _op, units in lanes if other == lane) == 0


def test_payment_puts_the_rule_and_the_legs_distances_and_zones_into_sale_paid(client, demo):
    created = order(client, first_option(client)).json
    assert pay(client, created).status_code == 200
    with demo.session_factory() as session:
        event = session.scalars(select(OutboxEvent).where(OutboxEvent.type == SALE_PAID)).one()
    payload = event.payload
    assert payload["apportionment"] == {
        "method": "standalone_fares", "shares": {}, "fees_minor": {}, "remainder": "standalone_fares",
        "commission": {"channel": "web", "rate": "0", "fixed_minor": 0},
        "clearing_fee": {"rate": "0", "fixed_minor": 0},
    }
    ridden = [leg for leg in payload["legs"] if leg["route_id"]]
    assert ridden and all(isinstance(leg["distance_m"], int) and leg["distance_m"] > 0 for leg in ridden)
    assert all(leg["zones"] >= 1 for leg in ridden)
    assert {leg["operator_id"] for leg in ridden} == {"SWA", "RBA", "BVB"}


def test_a_passenger_km_sale_is_cleared_by_the_distances_in_its_payload(demo):
    event = sale_event(1_000, [("RBA", 700), ("SWA", 300)], {"method": "passenger_km"})
    event["payload"]["legs"][0]["distance_m"] = 1_000
    event["payload"]["legs"][1]["distance_m"] = 3_000
    assert services.clear_event(demo.uow(), event) == services.CLEARED
    assert share_totals(demo) == {"RBA": 250, "SWA": 750}
