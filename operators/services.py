"""Operator records: create or update, list."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ValidationFailed
from operators.models import DEFAULT_VAT_RATE_BP, MODES, Operator


@dataclass(frozen=True, slots=True)
class OperatorData:
    id: str
    name: str
    mode: str
    iban: str | None = None
    bic: str | None = None
    email: str | None = None
    vat_rate_bp: int = DEFAULT_VAT_RATE_BP


def iban_is_valid(iban: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, mod 97 == 1."""
    compact = iban.replace(" ", "").upper()
    if len(compact) < 15 or not compact.isalnum():
        return False
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def upsert_operator(session: Session, data: OperatorData) -> Operator:
    if data.mode not in MODES:
        raise ValidationFailed(f"operator {data.id}: mode must be one of {', '.join(MODES)}", [{"field": "mode"}])
    if data.iban and not iban_is_valid(data.iban):
        raise ValidationFailed(f"operator {data.id}: IBAN check digits are wrong", [{"field": "iban"}])
    if not 0 <= data.vat_rate_bp <= 10_000:
        raise ValidationFailed(f"operator {data.id}: the VAT rate is in basis points, 0 to 10000",
                               [{"field": "vat_rate_bp"}])
    operator = session.get(Operator, data.id) or Operator(id=data.id)
    operator.name, operator.mode = data.name, data.mode
    operator.iban, operator.bic, operator.email = data.iban, data.bic, data.email
    operator.vat_rate_bp = data.vat_rate_bp
    session.add(operator)
    return operator


def list_operators(session: Session) -> list[Operator]:
    return list(session.scalars(select(Operator).order_by(Operator.id)))
