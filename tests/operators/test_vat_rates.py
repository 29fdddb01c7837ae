"""Operators carry their VAT rate in basis points; the demo ferry charges 19 %, everyone else 7 %."""
from __future__ import annotations

import pytest

from core.errors import ValidationFailed
from operators.models import Operator
from operators.services import OperatorData, upsert_operator
from webapp.demo import demo_operators


def test_the_demo_ferry_charges_19_percent_and_the_other_operators_7():
    assert {o.id: o.vat_rate_bp for o in demo_operators()} == {
        "RBA": 700, "SWA": 700, "BVB": 700, "TAL": 700, "FAE": 1900}


def test_an_operator_without_a_rate_gets_the_public_transport_rate(runtime):
    with runtime.session_factory() as session:
        upsert_operator(session, OperatorData("NEW", "Neue Bahn", "rail"))
        session.commit()
        assert session.get(Operator, "NEW").vat_rate_bp == 700


def test_loading_the_demo_stores_each_operators_rate(demo):
    with demo.session_factory() as session:
        assert session.get(Operator, "FAE").vat_rate_bp == 1900
        assert session.get(Operator, "RBA").vat_rate_bp == 700


@pytest.mark.parametrize("rate", [-1, 10_001])
def test_a_rate_outside_0_to_100_percent_is_refused(runtime, rate):
    with runtime.session_factory() as session, pytest.raises(ValidationFailed) as refused:
        upsert_operator(session, OperatorData("BAD", "Bad", "bus", vat_rate_bp=rate))
    assert refused.value.details == [{"field": "vat_rate_bp"}]
