"""Apportionment rules: pure functions, exact cents, the largest remainder with split_minor's tie-break."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearing.apportionment import (
    FIXED_SHARES,
    PASSENGER_KM,
    PER_LEG_FIXED_FEES,
    STANDALONE_FARES,
    ZONES_TRAVELLED,
    Deduction,
    Rule,
    SaleLeg,
    apportion,
    entitle,
    fixed_shares_bp,
    rule_from_payload,
)

OPERATORS = ("BVB", "RBA", "SWA", "TAL")


def amounts(split) -> dict[str, int]:
    return {share.operator_id: share.amount_minor for share in split.shares}


def test_default_rule_splits_by_standalone_fares():
    split = apportion(837, [SaleLeg("SWA", 480), SaleLeg("RBA", 450)], Rule())
    assert amounts(split) == {"RBA": 405, "SWA": 432}
    assert (split.commission_minor, split.clearing_fee_minor) == (0, 0)


def test_leftover_cent_goes_to_the_larger_remainder_then_larger_weight_then_earlier_operator():
    assert amounts(apportion(10, [SaleLeg("A", 1), SaleLeg("B", 2), SaleLeg("C", 1)], Rule())) == \
        {"A": 3, "B": 5, "C": 2}
    assert amounts(apportion(100, [SaleLeg("C", 1), SaleLeg("B", 1), SaleLeg("A", 1)], Rule())) == \
        {"A": 34, "B": 33, "C": 33}
    assert amounts(apportion(101, [SaleLeg("A", 1), SaleLeg("B", 2), SaleLeg("C", 2)], Rule())) == \
        {"A": 20, "B": 41, "C": 40}


def test_passenger_km_splits_by_metres_travelled_per_operator():
    legs = [SaleLeg("RBA", 300, distance_m=3_000), SaleLeg("SWA", 300, distance_m=500),
            SaleLeg("SWA", 100, distance_m=500)]
    assert amounts(apportion(400, legs, Rule(PASSENGER_KM))) == {"RBA": 300, "SWA": 100}


def test_passenger_km_without_distances_falls_back_to_standalone_fares():
    legs = [SaleLeg("RBA", 300), SaleLeg("SWA", 100)]
    assert amounts(apportion(400, legs, Rule(PASSENGER_KM))) == {"RBA": 300, "SWA": 100}
    one_unknown = [SaleLeg("RBA", 300, distance_m=None), SaleLeg("SWA", 100, distance_m=9_000)]
    assert amounts(apportion(400, one_unknown, Rule(PASSENGER_KM))) == {"RBA": 300, "SWA": 100}


def test_zones_travelled_counts_the_zones_of_every_leg():
    legs = [SaleLeg("RBA", 100, zones=2), SaleLeg("SWA", 100, zones=1), SaleLeg("SWA", 100, zones=2)]
    assert amounts(apportion(500, legs, Rule(ZONES_TRAVELLED))) == {"RBA": 200, "SWA": 300}


def test_fixed_shares_in_basis_points_apply_whoever_ran_the_legs():
    rule = Rule(FIXED_SHARES, shares=fixed_shares_bp({"TAL": 3_000, "RBA": 7_000}))
    split = apportion(999, [SaleLeg("SWA", 999)], rule)
    assert amounts(split) == {"RBA": 699, "TAL": 300}  # 699.3 and 299.7


def test_fixed_shares_must_add_up_to_ten_thousand_basis_points():
    with pytest.raises(ValueError, match="10000 basis points"):
        fixed_shares_bp({"RBA": 7_000, "TAL": 2_999})
    with pytest.raises(ValueError, match="exactly 1"):
        Rule(FIXED_SHARES, shares=(("RBA", Fraction(1, 2)),))


def test_per_leg_fixed_fees_come_first_and_the_rest_is_split_by_the_remainder_rule():
    rule = Rule(PER_LEG_FIXED_FEES, fees=(("RBA", 50),), remainder=STANDALONE_FARES)
    legs = [SaleLeg("RBA", 100), SaleLeg("RBA", 100), SaleLeg("SWA", 200)]
    assert amounts(apportion(500, legs, rule)) == {"RBA": 300, "SWA": 200}  # 2 x 50, then 400 by 200:200


def test_per_leg_fixed_fees_larger_than_the_amount_share_what_there_is():
    rule = Rule(PER_LEG_FIXED_FEES, fees=(("RBA", 80), ("SWA", 40)))
    legs = [SaleLeg("RBA", 100), SaleLeg("SWA", 100), SaleLeg("BVB", 100)]
    assert amounts(apportion(60, legs, rule)) == {"BVB": 0, "RBA": 40, "SWA": 20}


def test_commission_and_clearing_fee_are_taken_before_the_operators_split_the_rest():
    rule = Rule(commission=Deduction(Fraction(2, 100), 5), channel="kiosk", clearing_fee=Deduction(Fraction(1, 100)))
    split = apportion(1_000, [SaleLeg("RBA", 100), SaleLeg("SWA", 100)], rule)
    assert (split.commission_minor, split.clearing_fee_minor, split.channel) == (25, 10, "kiosk")
    assert amounts(split) == {"RBA": 483, "SWA": 482}
    assert split.total_minor == 1_000


def test_deductions_round_half_up_and_never_take_more_than_the_amount():
    assert apportion(25, [SaleLeg("RBA", 1)], Rule(commission=Deduction(Fraction(1, 50)))).commission_minor == 1
    split = apportion(30, [SaleLeg("RBA", 1)], Rule(commission=Deduction(fixed_minor=20),
                                                     clearing_fee=Deduction(fixed_minor=20)))
    assert (split.commission_minor, split.clearing_fee_minor, amounts(split)) == (20, 10, {"RBA": 0})


def test_the_rule_is_read_back_from_the_sale_paid_payload():
    rule = rule_from_payload({
        "method": "per_leg_fixed_fees", "shares": {}, "fees_minor": {"RBA": 50}, "remainder": "passenger_km",
        "commission": {"channel": "web", "rate": "1/50", "fixed_minor": 3},
        "clearing_fee": {"rate": "0.01", "fixed_minor": 0},
    })
    assert rule == Rule(PER_LEG_FIXED_FEES, fees=(("RBA", 50),), remainder=PASSENGER_KM,
                        commission=Deduction(Fraction(1, 50), 3), channel="web",
                        clearing_fee=Deduction(Fraction(1, 100)))
    assert rule_from_payload(None) == Rule()
    assert rule_from_payload({"method": "fixed_shares", "shares": {"RBA": "7/10", "TAL": "3/10"}}).shares == \
        (("RBA", Fraction(7, 10)), ("TAL", Fraction(3, 10)))


def test_unknown_methods_and_negative_weights_are_refused():
    with pytest.raises(ValueError, match="unknown apportionment method 'by_mood'"):
        rule_from_payload({"method": "by_mood"})
    with pytest.raises(ValueError, match="negative apportionment weight"):
        apportion(100, [SaleLeg("RBA", -1)], Rule())
    with pytest.raises(ValueError, match="without legs"):
        apportion(100, [], Rule())


# --- properties -----------------------------------------------------------------------------------

legs_st = st.lists(
    st.builds(SaleLeg, st.sampled_from(OPERATORS), st.integers(0, 5_000),
              st.one_of(st.none(), st.integers(0, 80_000)), st.integers(0, 6)),
    min_size=1, max_size=6,
)
bp_st = st.lists(st.integers(1, 9_999), min_size=1, max_size=3).map(
    lambda cuts: sorted(set(cuts))).map(
    lambda cuts: dict(zip(OPERATORS, [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)],
                          strict=False)))
deduction_st = st.builds(Deduction, st.fractions(0, Fraction(1, 2), max_denominator=10_000), st.integers(0, 300))


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    method = draw(st.sampled_from((STANDALONE_FARES, PASSENGER_KM, ZONES_TRAVELLED, FIXED_SHARES,
                                   PER_LEG_FIXED_FEES)))
    shares = fixed_shares_bp(draw(bp_st)) if method == FIXED_SHARES else ()
    fees = tuple(sorted(draw(st.dictionaries(st.sampled_from(OPERATORS), st.integers(0, 500))).items())) \
        if method == PER_LEG_FIXED_FEES else ()
    remainder = draw(st.sampled_from((STANDALONE_FARES, PASSENGER_KM, ZONES_TRAVELLED)))
    return Rule(method, shares=shares, fees=fees, remainder=remainder, commission=draw(deduction_st),
                clearing_fee=draw(deduction_st))


@settings(max_examples=400, deadline=None)
@given(amount=st.integers(0, 1_000_000), legs=legs_st, rule=rules())
def test_every_rule_splits_the_whole_amount_into_shares_that_are_never_negative(amount, legs, rule):
    split = apportion(amount, legs, rule)
    assert split.total_minor == amount
    assert all(share.amount_minor >= 0 for share in split.shares)
    assert split.commission_minor >= 0 and split.clearing_fee_minor >= 0
    assert [share.operator_id for share in split.shares] == sorted({share.operator_id for share in split.shares})


@settings(max_examples=300, deadline=None)
@given(amount=st.integers(0, 1_000_000), legs=legs_st, rule=rules())
def test_every_share_is_within_one_cent_of_its_exact_entitlement(amount, legs, rule):
    split = apportion(amount, legs, rule)
    exact = entitle(amount - split.commission_minor - split.clearing_fee_minor, legs, rule).exact()
    assert sum(exact.values()) == amount - split.commission_minor - split.clearing_fee_minor
    for share in split.shares:
        assert abs(share.amount_minor - exact[share.operator_id]) < 1


@settings(max_examples=300, deadline=None)
@given(amount=st.integers(0, 1_000_000), shares_bp=bp_st)
def test_fixed_percentages_are_within_one_cent_of_exact(amount, shares_bp):
    split = apportion(amount, [SaleLeg("RBA", 1)], Rule(FIXED_SHARES, shares=fixed_shares_bp(shares_bp)))
    assert amounts(split).keys() == shares_bp.keys()
    for share in split.shares:
        assert abs(share.amount_minor - Fraction(amount * shares_bp[share.operator_id], 10_000)) < 1
