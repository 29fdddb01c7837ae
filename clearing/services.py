"""Clearing services: book each published event exactly once (by event id).

One handler per event type; each adds its ``ClearingRecord`` (and shares and
ledger transaction) to the session, and ``clear_event`` commits once. A second
delivery of the same event id finds the record and changes nothing.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clearing.apportionment import SaleLeg, Share, deductions, entitle, rule_from_payload
from clearing.carry import round_and_carry
from clearing.ledger import Line, get_or_create_account, operator_payable, post, psp_receivable, wallet_liability
from clearing.models import ClearingRecord, ClearingShare
from clearing.payg import clear_payg_day
from clearing.periods import period_of
from clearing.refunds import reverse_sale
from core.outbox import PAYG_DAY_CHARGED, SALE_PAID, SALE_REFUNDED, WALLET_TOPPED_UP
from core.unit_of_work import SqlUnitOfWork

log = logging.getLogger(__name__)

CLEARED, DUPLICATE, IGNORED = "cleared", "duplicate", "ignored"
Handler = Callable[[Session, dict[str, Any]], ClearingRecord]


def _sale_legs(payload: dict[str, Any]) -> list[SaleLeg]:
    return [SaleLeg(leg["operator_id"], int(leg["standalone_minor"]),
                    None if leg.get("distance_m") is None else int(leg["distance_m"]), int(leg.get("zones") or 0))
            for leg in payload["legs"]]


def clear_sale(session: Session, message: dict[str, Any]) -> ClearingRecord:
    """SalePaid: commission and clearing fee first, the rest to the operators by the sale's rule.

    The rule travels in the payload (``apportionment``; standalone fares without
    it), so clearing needs no tariff. The operators' shares are rounded with
    their carried sub-cent remainders (``clearing.carry``). The money came from
    the card or the wallet.
    """
    payload = message["payload"]
    amount, currency = int(payload["amount_minor"]), payload["currency"]
    paid_at = datetime.fromisoformat(payload["paid_at"])
    period = period_of(paid_at)
    rule = rule_from_payload(payload.get("apportionment"))
    commission, fee = deductions(amount, rule)
    entitlement = entitle(amount - commission - fee, _sale_legs(payload), rule)
    parts = round_and_carry(session, entitlement, period, currency)
    shares = [Share(op, part, weight) for op, part, weight in zip(entitlement.operator_ids, parts,
                                                                  entitlement.weights, strict=True)]
    source = wallet_liability(session, currency) if payload.get("payment_method") == "wallet" else \
        psp_receivable(session, currency)
    lines = [Line(source, amount)] + [
        Line(operator_payable(session, share.operator_id, currency), -share.amount_minor) for share in shares
    ]
    if commission:
        lines.append(Line(get_or_create_account(session, f"commission:{rule.channel}:{currency}",
                                                f"Commission owed to sales channel {rule.channel}", "liability",
                                                currency), -commission))
    if fee:
        lines.append(Line(get_or_create_account(session, f"clearing_fees:{currency}", "Clearing fees kept by the "
                                                "association", "revenue", currency), -fee))
    transaction = post(session, f"sale:{payload['sale_id']}", f"Sale {payload['sale_id']} cleared", paid_at, lines)
    record = ClearingRecord(
        event_id=message["id"], event_type=SALE_PAID, sale_id=payload["sale_id"], amount_minor=amount,
        currency=currency, sale_period=period, occurred_at=paid_at, transaction_id=transaction.id,
    )
    session.add(record)
    session.flush()
    session.add_all(
        ClearingShare(record_id=record.id, operator_id=share.operator_id, amount_minor=share.amount_minor,
                      weight_minor=share.weight_minor, sale_period=record.sale_period)
        for share in shares
    )
    return record


def book_top_up(session: Session, message: dict[str, Any]) -> ClearingRecord:
    """WalletToppedUp: card money received, owed to the passenger until spent."""
    payload = message["payload"]
    amount, currency = int(payload["amount_minor"]), payload["currency"]
    occurred_at = datetime.fromisoformat(payload["topped_up_at"])
    transaction = post(session, f"topup:{payload['top_up_id']}", f"Wallet {payload['wallet_id']} topped up",
                       occurred_at, [Line(psp_receivable(session, currency), amount),
                                     Line(wallet_liability(session, currency), -amount)])
    record = ClearingRecord(
        event_id=message["id"], event_type=WALLET_TOPPED_UP, sale_id=payload["top_up_id"], amount_minor=amount,
        currency=currency, sale_period=period_of(occurred_at), occurred_at=occurred_at,
        transaction_id=transaction.id,
    )
    session.add(record)
    return record


HANDLERS: dict[str, Handler] = {
    SALE_PAID: clear_sale,
    WALLET_TOPPED_UP: book_top_up,
    SALE_REFUNDED: reverse_sale,
    PAYG_DAY_CHARGED: clear_payg_day,
}


def clear_event(uow: SqlUnitOfWork, message: dict[str, Any]) -> str:
    """Clear one published outbox event; a second delivery of the same id changes nothing."""
    handler = HANDLERS.get(str(message.get("type")))
    if handler is None:
        log.info("clearing ignores event_id=%s type=%s", message.get("id"), message.get("type"))
        return IGNORED
    with uow:
        session = uow.session
        if session.scalars(select(ClearingRecord.id).where(ClearingRecord.event_id == message["id"])).first():
            return DUPLICATE
        record = handler(session, message)
        try:
            uow.commit()
        except IntegrityError:
            # A concurrent delivery of the same event won the race: nothing to do.
            uow.rollback()
            log.info("event_id=%s was cleared concurrently", message["id"])
            return DUPLICATE
        log.info("cleared event_id=%s type=%s reference=%s amount=%s", message["id"], message["type"],
                 record.sale_id, record.amount_minor)
    return CLEARED
