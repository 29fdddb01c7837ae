"""The ``refund_policy`` block of format-2 packages: validation with lines, the model, the fee."""
from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ValidationFailed
from fares.native.v2 import load_native_v2
from fares.native.v2.model import RefundPolicy
from tests.fares.native.test_native_v2_schema import package


def load(policy: object):  # noqa: ANN201
    return load_native_v2(json.dumps(package(refund_policy=policy), indent=2), "tariff.json")


def problems(policy: object) -> list[dict]:
    with pytest.raises(ValidationFailed) as caught:
        load(policy)
    return caught.value.details


def test_a_refund_policy_becomes_the_models_policy_in_minor_units():
    model = load({"fee": "1.00", "fee_percent": "10", "max_fee": "5.00", "allow_partial": False, "until": "departure"})
    assert model.refund_policy == RefundPolicy(fee_minor=100, fee_percent=Fraction(10), max_fee_minor=500,
                                               allow_partial=False, until="departure")


def test_left_out_fields_mean_no_fee_partial_refunds_and_validity_end():
    assert load({}).refund_policy == RefundPolicy(fee_minor=0, fee_percent=Fraction(0), max_fee_minor=None,
                                                  allow_partial=True, until="validity_end")
    assert load({"fee_percent": "2.5"}).refund_policy.fee_percent == Fraction(5, 2)


def test_a_package_without_a_refund_policy_has_none():
    assert load_native_v2(json.dumps(package()), "tariff.json").refund_policy is None
    assert load(None).refund_policy is None


def test_problems_in_the_policy_name_file_line_and_field():
    found = problems({"fee": "1.005", "fee_percent": "120", "until": "tomorrow", "allow_partial": "maybe",
                      "fees": "1.00"})
    text = json.dumps(package(refund_policy={}), indent=2).splitlines()
    policy_line = next(i for i, line in enumerate(text, 1) if '"refund_policy"' in line)
    by_field = {p["field"]: (p["file"], p["line"], p["message"]) for p in found}
    assert by_field["refund_policy.fee_percent"][2] == "must be at most 100"
    assert by_field["refund_policy.until"][2] == "Must be one of: departure, validity_end."
    assert by_field["refund_policy.allow_partial"][2] == "Not a valid boolean."
    assert by_field["refund_policy.fees"][2] == "Unknown field."
    assert by_field["refund_policy.fee"][2] == "'1.005' has more than 2 decimals for EUR"
    assert {file for file, _line, _message in by_field.values()} == {"tariff.json"}
    # json.dumps keeps the order: fee, fee_percent, until, allow_partial, fees on the lines after the opening one.
    assert {field: line for field, (_file, line, _message) in by_field.items()} == {
        "refund_policy.fee": policy_line + 1, "refund_policy.fee_percent": policy_line + 2,
        "refund_policy.until": policy_line + 3, "refund_policy.allow_partial": policy_line + 4,
        "refund_policy.fees": policy_line + 5,
    }


def test_a_maximum_fee_below_the_fixed_fee_is_refused():
    assert [(p["field"], p["message"]) for p in problems({"fee": "2.00", "max_fee": "1.50"})] == [
        ("refund_policy.max_fee", "max_fee is below the fixed fee"),
    ]


def test_the_fee_is_fixed_plus_a_percent_rounded_half_up_then_capped():
    policy = RefundPolicy(fee_minor=100, fee_percent=Fraction(10), max_fee_minor=500, allow_partial=True,
                          until="validity_end")
    assert policy.fee_for(590) == 159  # 1.00 + 0.59
    assert policy.fee_for(45) == 45  # 1.00 + 0.045 -> 1.05, but never more than the amount
    assert policy.fee_for(5_000) == 500  # 1.00 + 5.00, capped at 5.00
    assert policy.fee_for(0) == 0
    assert RefundPolicy(0, Fraction(5, 2), None, True, "departure").fee_for(20) == 1  # 0.5 rounds up
    assert RefundPolicy(0, Fraction(5, 2), None, True, "departure").fee_for(19) == 0  # 0.475 rounds down


@given(fee=st.integers(0, 1_000), percent=st.fractions(0, 100, max_denominator=1000),
       cap=st.none() | st.integers(0, 2_000), amount=st.integers(0, 100_000))
def test_a_fee_is_never_negative_above_its_cap_or_above_the_amount(fee, percent, cap, amount):
    charged = RefundPolicy(fee, percent, cap, True, "validity_end").fee_for(amount)
    assert 0 <= charged <= amount
    if cap is not None:
        assert charged <= cap
