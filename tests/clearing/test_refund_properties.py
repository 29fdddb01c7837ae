"""Properties of reversing sales: nobody gives back more than it received, the books always balance."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clearing import services
from clearing.ledger import ledger_total
from clearing.refunds import held_of_sale, reverse_shares
from core.money import split_minor
from tests.clearing.test_clearing_service import sale_event
from tests.clearing.test_refund_clearing import refund_event

OPERATORS = ["BVB", "FAE", "RBA", "SWA", "TAL"]
shares_st = st.dictionaries(st.sampled_from(OPERATORS), st.integers(0, 5_000), min_size=1, max_size=5)
refunds_st = st.lists(st.integers(1, 3_000), min_size=1, max_size=8)


def _refunds_within(total: int, wanted: list[int]) -> list[int]:
    """The wanted refunds, cut so that together they never exceed the sale."""
    out, left = [], total
    for amount in wanted:
        amount = min(amount, left)
        if amount > 0:
            out.append(amount)
            left -= amount
    return out


@given(original=shares_st, wanted=refunds_st, refund_the_rest=st.booleans())
def test_refunds_never_take_more_than_a_party_received_and_shares_never_go_negative(original, wanted, refund_the_rest):
    total = sum(original.values())
    refunds = _refunds_within(total, wanted)
    if refund_the_rest and total - sum(refunds) > 0:
        refunds.append(total - sum(refunds))
    held = dict(original)
    for amount in refunds:
        reversal = reverse_shares(amount, original, held)
        assert sum(share.amount_minor for share in reversal) == amount
        for share in reversal:
            assert 0 <= share.amount_minor <= held[share.operator_id]
            assert share.weight_minor == original[share.operator_id]
            held[share.operator_id] -= share.amount_minor
        assert all(value >= 0 for value in held.values())
    assert sum(held.values()) == total - sum(refunds)
    if refund_the_rest:
        assert all(value == 0 for value in held.values())


@given(original=shares_st, amount=st.integers(0, 25_000))
def test_a_first_refund_is_exactly_the_proportional_split_of_the_original_shares(original, amount):
    total = sum(original.values())
    amount = min(amount, total)
    operators = sorted(original)
    reversal = reverse_shares(amount, original, original)
    assert [share.operator_id for share in reversal] == operators
    assert [share.amount_minor for share in reversal] == split_minor(amount, [original[op] for op in operators])


@given(original=shares_st, extra=st.integers(1, 100))
def test_taking_back_more_than_the_operators_hold_is_refused(original, extra):
    with pytest.raises(ValueError):
        reverse_shares(sum(original.values()) + extra, original, original)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amount=st.integers(1, 20_000),
    legs=st.lists(st.tuples(st.sampled_from(OPERATORS), st.integers(0, 5_000)), min_size=1, max_size=4),
    wanted=st.lists(st.tuples(st.integers(1, 8_000), st.integers(0, 300)), min_size=1, max_size=5),
)
def test_the_ledger_sums_to_zero_after_any_sale_and_refunds(demo, amount, legs, wanted):
    sale = sale_event(amount, legs)
    services.clear_event(demo.uow(), sale)
    left = amount
    for gross, fee in wanted:
        gross = min(gross, left)
        if gross <= 0:
            break
        fee = min(fee, gross - 1)
        services.clear_event(demo.uow(), refund_event(sale, amount=gross - fee, fee=fee))
        left -= gross
        with demo.session_factory() as session:
            assert ledger_total(session) == 0
            held = held_of_sale(session, sale["payload"]["sale_id"])
        assert all(value >= 0 for value in held.values())
        assert sum(held.values()) == left
