"""Clearing services: book a sale event's shares, exactly once per event id."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clearing.apportionment import SaleLeg, apportion_by_standalone_fares
from clearing.ledger import Line, operator_payable, post, psp_receivable
from clearing.models import ClearingRecord, ClearingShare
from clearing.periods import period_of
from core.outbox import SALE_PAID
from core.unit_of_work import SqlUnitOfWork

log = logging.getLogger(__name__)

CLEARED, DUPLICATE, IGNORED = "cleared", "duplicate", "ignored"


def clear_event(uow: SqlUnitOfWork, message: dict[str, Any]) -> str:
    """Clear one published outbox event; a second delivery of the same id changes nothing."""
    if message.get("type") != SALE_PAID:
        log.info("clearing ignores event_id=%s type=%s", message.get("id"), message.get("type"))
        return IGNORED
    with uow:
        session = uow.session
        if session.scalars(select(ClearingRecord.id).where(ClearingRecord.event_id == message["id"])).first():
            return DUPLICATE
        payload = message["payload"]
        amount, currency = int(payload["amount_minor"]), payload["currency"]
        paid_at = datetime.fromisoformat(payload["paid_at"])
        shares = apportion_by_standalone_fares(
            amount, [SaleLeg(leg["operator_id"], int(leg["standalone_minor"])) for leg in payload["legs"]]
        )
        lines = [Line(psp_receivable(session, currency), amount)] + [
            Line(operator_payable(session, share.operator_id, currency), -share.amount_minor) for share in shares
        ]
        transaction = post(session, f"sale:{payload['sale_id']}", f"Sale {payload['sale_id']} cleared", paid_at,
                           lines)
        record = ClearingRecord(
            event_id=message["id"], event_type=SALE_PAID, sale_id=payload["sale_id"], amount_minor=amount,
            currency=currency, sale_period=period_of(paid_at), occurred_at=paid_at, transaction_id=transaction.id,
        )
        session.add(record)
        session.flush()
        session.add_all(
            ClearingShare(record_id=record.id, operator_id=share.operator_id, amount_minor=share.amount_minor,
                          weight_minor=share.weight_minor, sale_period=record.sale_period)
            for share in shares
        )
        try:
            uow.commit()
        except IntegrityError:
            # A concurrent delivery of the same event won the race: nothing to do.
            uow.rollback()
            log.info("event_id=%s was cleared concurrently", message["id"])
            return DUPLICATE
    log.info("cleared event_id=%s sale_id=%s amount=%s", message["id"], payload["sale_id"], amount)
    return CLEARED
