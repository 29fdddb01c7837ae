"""Payout instructions: a SEPA credit transfer file (pain.001.001.03) for a settlement run.

One transfer per settled operator with a positive total, to the operator's
IBAN/BIC, from the association's account. The debtor account is
``ASSOCIATION_ACCOUNT`` below: the one place it is configured (a constant, not
an environment setting, since it belongs to the association's contract and
changes with it). The file is built with ``sepaxml`` and validated against the
pain.001.001.03 XSD it ships (``xmlschema``); ``check_pain001`` also checks what
an XSD cannot: the IBANs' ISO 13616 check digits and that every control sum
(``CtrlSum``, ``NbOfTxs``) matches the transfers.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaValidationError
from sepaxml.validation import try_valid_xml
from sqlalchemy.orm import Session

from clearing.models import Settlement
from core.errors import ValidationFailed
from core.money import Money
from operators.models import Operator

SCHEMA = "pain.001.001.03"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
SEPA_CURRENCY = "EUR"


@dataclass(frozen=True, slots=True)
class BankAccount:
    name: str
    iban: str
    bic: str


# The association's clearing account, debited by every payout (demo values: a valid test IBAN).
ASSOCIATION_ACCOUNT = BankAccount("Verkehrsverbund Auental Clearing", "DE89370400440532013000", "COBADEFFXXX")


@dataclass(frozen=True, slots=True)
class PayoutLine:
    settlement_id: int
    operator_id: str
    name: str
    iban: str
    bic: str | None
    amount_minor: int
    currency: str
    reference: str  # end-to-end id and remittance text


def iban_is_valid(iban: str) -> bool:
    """ISO 13616: two letters, two check digits, up to 30 alphanumerics; mod 97 of the rearranged number is 1."""
    text = iban.replace(" ", "").upper()
    if not (15 <= len(text) <= 34 and text[:2].isalpha() and text[2:4].isdigit() and text.isalnum()):
        return False
    return int("".join(str(int(ch, 36)) for ch in text[4:] + text[:4])) % 97 == 1


def payout_lines(session: Session, settlements: Sequence[Settlement]) -> list[PayoutLine]:
    """The transfers of these settlements: positive totals only; a missing or invalid IBAN is refused."""
    lines: list[PayoutLine] = []
    problems: list[dict[str, str]] = []
    for settlement in sorted(settlements, key=lambda s: (s.period, s.operator_id)):
        if settlement.total_minor <= 0:
            continue
        operator = session.get(Operator, settlement.operator_id)
        assert operator is not None
        if settlement.currency != SEPA_CURRENCY:
            problems.append({"field": "currency", "message": f"SEPA pays {SEPA_CURRENCY} only, not "
                                                             f"{settlement.currency} ({operator.id})"})
        elif not operator.iban or not iban_is_valid(operator.iban):
            problems.append({"field": "iban",
                             "message": f"operator {operator.id} has no valid IBAN: {operator.iban!r}"})
        else:
            lines.append(PayoutLine(settlement.id, operator.id, operator.name, operator.iban.replace(" ", ""),
                                    operator.bic, settlement.total_minor, settlement.currency,
                                    f"FB-{settlement.period}-{operator.id}-{settlement.id}"))
    if problems:
        raise ValidationFailed("the payout file cannot be built", details=problems, code="payout_rejected")
    return lines


def build_pain001(
    lines: Sequence[PayoutLine], execution_date: date, message_id: str, created_at: datetime,
    debtor: BankAccount = ASSOCIATION_ACCOUNT,
) -> bytes:
    """The pain.001 document, validated (XSD and control sums) before it is returned."""
    if not lines:
        raise ValidationFailed("no operator has a positive total: there is nothing to pay out", code="nothing_to_pay")
    transfer = SepaTransfer({"name": debtor.name, "IBAN": debtor.iban, "BIC": debtor.bic, "batch": True,
                             "currency": SEPA_CURRENCY}, schema=SCHEMA)
    header = transfer._xml.find("CstmrCdtTrfInitn/GrpHdr")  # sepaxml has no setter for these two
    header.find("MsgId").text = message_id[:35]
    header.find("CreDtTm").text = created_at.strftime("%Y-%m-%dT%H:%M:%S")
    for line in lines:
        payment = {"name": line.name, "IBAN": line.iban, "amount": line.amount_minor, "execution_date": execution_date,
                   "description": f"Farebridge settlement {line.reference}", "endtoend_id": line.reference[:35]}
        if line.bic:
            payment["BIC"] = line.bic
        transfer.add_payment(payment)
    try:
        document: bytes = transfer.export(validate=True)
    except SepaValidationError as error:
        raise ValidationFailed(f"the payout file does not validate: {error.__cause__ or error}",
                               code="payout_rejected") from error
    check_pain001(document)
    return document


def check_pain001(document: bytes) -> None:
    """Refuse a pain.001 that fails the XSD, carries an invalid IBAN or whose control sums do not add up."""
    try:
        try_valid_xml(document, SCHEMA)
    except SepaValidationError as error:
        raise ValidationFailed(f"the payout file does not validate: {error.__cause__ or error}",
                               code="payout_rejected") from error
    ns = {"p": NAMESPACE}
    root = ET.fromstring(document)

    def minor(text: str | None) -> int:
        return Money.parse(text or "", SEPA_CURRENCY).minor

    all_amounts: list[int] = []
    for info in root.iterfind(".//p:PmtInf", ns):
        amounts = [minor(a.text) for a in info.iterfind(".//p:InstdAmt", ns)]
        if minor(info.findtext("p:CtrlSum", None, ns)) != sum(amounts) or \
                int(info.findtext("p:NbOfTxs", "0", ns)) != len(amounts):
            raise ValidationFailed("a payment block's control sum does not match its transfers",
                                   code="payout_rejected")
        all_amounts += amounts
    header = root.find(".//p:GrpHdr", ns)
    assert header is not None
    if minor(header.findtext("p:CtrlSum", None, ns)) != sum(all_amounts) or \
            int(header.findtext("p:NbOfTxs", "0", ns)) != len(all_amounts):
        raise ValidationFailed("the file's control sum does not match its transfers", code="payout_rejected")
    for iban in root.iterfind(".//p:IBAN", ns):
        if not iban_is_valid(iban.text or ""):
            raise ValidationFailed(f"invalid IBAN in the payout file: {iban.text}", code="payout_rejected")


def payout_file_name(period: str) -> str:
    return f"payouts_{period}.xml"


def write_payouts(document: bytes, period: str, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / payout_file_name(period)
    path.write_bytes(document)
    return path
