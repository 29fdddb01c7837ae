"""Ticket documents: the ticket PDF and QR code, the receipt PDF of a payment.

Only the order's owner (its access token as Bearer) or an admin gets them:
the QR code is the ticket itself.
"""
from __future__ import annotations

from flask import Response
from sqlalchemy.orm import Session

from ticketing.documents.qr import qr_svg
from ticketing.documents.receipt import get_payment, receipt_document
from ticketing.documents.receipt_pdf import render_receipt_pdf
from ticketing.documents.ticket import ticket_document
from ticketing.documents.ticket_pdf import render_ticket_pdf
from ticketing.models import Ticket
from ticketing.services import get_order, get_ticket
from webapp.api.openapi import BEARER_OPTIONAL, ApiBlueprint, binary
from webapp.auth import require_order_access
from webapp.extensions import runtime

bp = ApiBlueprint("documents", __name__, description="Ticket PDF and QR code, payment receipts")


def _check_owner(session: Session, order_id: str) -> None:
    require_order_access(get_order(session, order_id))


def _owned_ticket(session: Session, ticket_id: str) -> Ticket:
    ticket = get_ticket(session, ticket_id)
    _check_owner(session, ticket.order_id)
    return ticket


def _document(body: bytes | str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"  # it carries the ticket itself
    return response


@bp.get("/tickets/<uuid_text:ticket_id>/pdf")
@bp.doc(security=BEARER_OPTIONAL, responses={"200": binary("application/pdf", "the ticket as PDF with its QR code")})
def ticket_pdf(ticket_id: str) -> Response:
    rt = runtime()
    with rt.session_factory() as session:
        ticket = _owned_ticket(session, ticket_id)
        data = ticket_document(session, ticket.id, rt.settings.timezone)
    return _document(render_ticket_pdf(data), "application/pdf", f"ticket-{ticket.id}.pdf")


@bp.get("/tickets/<uuid_text:ticket_id>/qr.svg")
@bp.doc(security=BEARER_OPTIONAL, responses={"200": binary("image/svg+xml", "the ticket's QR code")})
def ticket_qr(ticket_id: str) -> Response:
    with runtime().session_factory() as session:
        ticket = _owned_ticket(session, ticket_id)
    return _document(qr_svg(ticket.token), "image/svg+xml", f"ticket-{ticket.id}.svg")


@bp.get("/payments/<payment_id>/receipt.pdf")
@bp.doc(security=BEARER_OPTIONAL, responses={"200": binary("application/pdf", "the payment's receipt")})
def receipt_pdf(payment_id: str) -> Response:
    rt = runtime()
    with rt.session_factory() as session:
        _check_owner(session, get_payment(session, payment_id).order_id)
        data = receipt_document(session, payment_id, rt.settings.timezone)
    return _document(render_receipt_pdf(data), "application/pdf", f"receipt-{data.receipt_number}.pdf")
