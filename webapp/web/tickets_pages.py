"""The ticket page: the ticket with its QR code, its PDF, and a refund request with its result.

Access as for checkout (webapp.web.order_access): the passenger who booked it,
the guest whose browser session proved the order's token, or an admin. The QR
code is drawn into the page on the server (segno): it is the ticket itself, so
it is never a public URL.
"""
from __future__ import annotations

import io
import logging
from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import FarebridgeError, InvalidStateTransition, RefundWindowClosed
from ticketing.documents.qr import QUIET_ZONE, qr_code
from ticketing.documents.ticket import TicketDocument, ticket_document
from ticketing.documents.ticket_pdf import render_ticket_pdf
from ticketing.models import VALID_STATES, Ticket
from ticketing.payment_providers import sandbox_provider
from ticketing.refunds import (
    MAX_REASON,
    Refund,
    RefundTicket,
    refund_deadline,
    refund_policy_for,
    refund_ticket,
    refundable_minor,
)
from ticketing.services import get_order, get_ticket
from webapp.extensions import runtime
from webapp.relay import relay_now
from webapp.web.i18n import money
from webapp.web.order_access import check_page_access, is_guest_order
from webapp.web.session_auth import public

log = logging.getLogger(__name__)

bp = Blueprint("ticket_pages", __name__)

QR_CACHE_SIZE = 128  # about 15 kB each


@lru_cache(maxsize=QR_CACHE_SIZE)
def inline_qr(token: str) -> Markup:
    """An <svg> element to put into the page: no XML declaration, a viewBox so CSS sizes it.

    Cached by token (a ticket's token never changes): segno spends ~100 ms choosing the
    most readable mask for a ~500 character token, the page itself ~20 ms.
    """
    buffer = io.BytesIO()
    qr_code(token).save(buffer, kind="svg", scale=1, border=QUIET_ZONE, xmldecl=False, svgns=True, omitsize=True,
                        title=None, svgclass="qr-code", lineclass=None, nl=False)
    return Markup(buffer.getvalue().decode("utf-8"))


def _owned(session: Session, ticket_id: str) -> Ticket:
    ticket = get_ticket(session, ticket_id)
    check_page_access(get_order(session, ticket.order_id))
    return ticket


def _refunds(session: Session, ticket_id: str) -> list[Refund]:
    return list(session.scalars(select(Refund).where(Refund.ticket_id == ticket_id).order_by(Refund.created_at)))


@bp.get("/tickets/<ticket_id>")
@public
def show(ticket_id: str) -> str:
    rt = runtime()
    with rt.session_factory() as session:
        ticket = _owned(session, ticket_id)
        document: TicketDocument = ticket_document(session, ticket.id, rt.settings.timezone)
        refunds = _refunds(session, ticket.id)
        order = get_order(session, ticket.order_id)
        refundable = refundable_minor(session, ticket) if ticket.status in VALID_STATES else 0
        refund_open = utcnow() < refund_deadline(ticket, order, refund_policy_for(session, order.tariff_version_id))
        guest = order.user_id is None and is_guest_order(order.id)
    context: dict[str, Any] = {"ticket": document, "qr": inline_qr(document.token), "refunds": refunds,
                               "refundable": refundable if refund_open else 0, "guest": guest,
                               "just_paid": request.args.get("paid") == "1", "max_reason": MAX_REASON}
    return render_template("tickets/ticket.html", **context)


@bp.get("/tickets/<ticket_id>/ticket.pdf")
@public
def pdf(ticket_id: str) -> Response:
    rt = runtime()
    with rt.session_factory() as session:
        ticket = _owned(session, ticket_id)
        data = ticket_document(session, ticket.id, rt.settings.timezone)
    response = Response(render_ticket_pdf(data), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="farebridge-ticket-{ticket.id}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"  # it carries the ticket itself
    return response


def _refund_error(error: FarebridgeError) -> str:
    if isinstance(error, RefundWindowClosed):
        return _("This ticket can no longer be refunded: the time for refunds is over.")
    if isinstance(error, InvalidStateTransition):
        return _("This ticket has already been refunded.")
    return error.message


@bp.post("/tickets/<ticket_id>/refund")
@public
def refund(ticket_id: str) -> Response:
    """The full remaining amount back to the way it was paid (card or wallet); the result shows on the ticket."""
    rt = runtime()
    with rt.session_factory() as session:
        ticket = _owned(session, ticket_id)
    reason = request.form.get("reason", "").strip()[:MAX_REASON] or None
    try:
        done = refund_ticket(rt.uow(), RefundTicket(ticket.id, None, reason), utcnow(), None, sandbox_provider())
    except FarebridgeError as error:
        log.info("page refund refused ticket_id=%s code=%s", ticket.id, error.code)
        flash(_refund_error(error), "error")
        return redirect(url_for("ticket_pages.show", ticket_id=ticket.id, _anchor="refund"))
    relay_now()
    where = _("to your wallet") if done.payment_method == "wallet" else _("to your card")
    text = _("Refund done: %(amount)s goes back %(where)s.", amount=money(done.amount_minor, done.currency),
             where=where)
    if done.fee_minor:
        text += " " + _("A fee of %(fee)s was kept.", fee=money(done.fee_minor, done.currency))
    flash(text, "success")
    return redirect(url_for("ticket_pages.show", ticket_id=ticket.id))
