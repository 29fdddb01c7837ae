"""SEPA payout files (pain.001.001.03): one transfer per operator with a positive total, XSD-validated."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest

from clearing.payouts import (
    ASSOCIATION_ACCOUNT,
    NAMESPACE,
    PayoutLine,
    build_pain001,
    check_pain001,
    iban_is_valid,
    payout_lines,
)
from core.errors import ValidationFailed
from operators.models import Operator
from tests.clearing.test_statements import march_sales, settled

NS = {"p": NAMESPACE}
NOW = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
RBA_IBAN, SWA_IBAN = "DE37514901004711002000", "DE06514902000030125500"


def march_payout(runtime) -> bytes:
    march_sales(runtime)
    settlements = list(settled(runtime).values())
    with runtime.session_factory() as session:
        lines = payout_lines(session, settlements)
    return build_pain001(lines, date(2026, 4, 2), "FB-2026-03-R1", NOW)


def transfers(document: bytes) -> dict[str, tuple[str, str, str]]:
    root = ET.fromstring(document)
    return {tx.findtext("p:CdtrAcct/p:Id/p:IBAN", None, NS): (tx.findtext("p:Amt/p:InstdAmt", None, NS),
                                                              tx.find("p:Amt/p:InstdAmt", NS).get("Ccy"),
                                                              tx.findtext("p:Cdtr/p:Nm", None, NS))
            for tx in root.iterfind(".//p:CdtTrfTxInf", NS)}


def test_the_payout_file_carries_exactly_the_operators_positive_totals(demo):
    document = march_payout(demo)
    assert transfers(document) == {RBA_IBAN: ("4.63", "EUR", "Regionalbahn Auental"),
                                   SWA_IBAN: ("4.74", "EUR", "Stadtwerke Altheim Bus")}
    root = ET.fromstring(document)
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", None, NS) == "9.37"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", None, NS) == "2"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", None, NS) == "FB-2026-03-R1"
    info = root.find(".//p:PmtInf", NS)
    assert info.findtext("p:DbtrAcct/p:Id/p:IBAN", None, NS) == ASSOCIATION_ACCOUNT.iban
    assert info.findtext("p:ReqdExctnDt", None, NS) == "2026-04-02"
    check_pain001(document)  # the file as written passes the XSD and the control sums


def test_an_operator_without_a_valid_iban_is_refused(demo):
    march_sales(demo)
    with demo.session_factory() as session:
        session.get(Operator, "SWA").iban = "DE06514902000030125501"  # one digit off: check digits fail
        session.commit()
    settlements = list(settled(demo).values())
    with demo.session_factory() as session, pytest.raises(ValidationFailed) as refused:
        payout_lines(session, settlements)
    assert refused.value.details == [{"field": "iban",
                                      "message": "operator SWA has no valid IBAN: 'DE06514902000030125501'"}]


def line(iban: str, amount: int = 463) -> PayoutLine:
    return PayoutLine(1, "RBA", "Regionalbahn Auental", iban, "RBAUDEF1XXX", amount, "EUR", "FB-2026-03-RBA-1")


def test_the_xsd_validation_really_runs_and_refuses_a_malformed_iban():
    with pytest.raises(ValidationFailed, match="does not validate"):
        build_pain001([line("D3-not-an-iban")], date(2026, 4, 2), "m1", NOW)


def test_a_tampered_amount_is_refused_by_the_xsd_or_the_control_sums():
    document = build_pain001([line(RBA_IBAN), line(SWA_IBAN, 474)], date(2026, 4, 2), "m1", NOW)
    assert b'<InstdAmt Ccy="EUR">4.63</InstdAmt>' in document
    with pytest.raises(ValidationFailed, match="does not validate"):
        check_pain001(document.replace(b">4.63<", b">-4.63<"))  # XSD: amounts are not negative
    with pytest.raises(ValidationFailed, match="control sum"):
        check_pain001(document.replace(b">4.63<", b">5.63<"))  # valid XML, but not the totals any more
    with pytest.raises(ValidationFailed, match="invalid IBAN"):
        check_pain001(document.replace(RBA_IBAN.encode(), b"DE37514901004711002001"))


def test_nothing_to_pay_is_a_clear_error():
    with pytest.raises(ValidationFailed, match="nothing to pay out"):
        build_pain001([], date(2026, 4, 2), "m1", NOW)


@pytest.mark.parametrize(("iban", "valid"), [
    ("DE89370400440532013000", True), ("DE89 3704 0044 0532 0130 00", True), ("DE89370400440532013001", False),
    ("GB82WEST12345698765432", True), ("XX", False), ("", False),
])
def test_iban_check_digits(iban, valid):
    assert iban_is_valid(iban) is valid
