"""Who may see, pay for and refund an order on the pages: its passenger, an admin, or the guest who ordered it.

Guests: ``POST /api/v1/orders`` answers with the order's ``access_token``. The
booking script hands it at once to ``POST /book/orders/<id>/access`` (a page
endpoint, so the site's CSRF check applies: another site cannot plant orders in
a visitor's session). The server checks the token against the order's stored
hash and then remembers only the order id in the session, as "this session
proved it holds the token".

Why this and not keeping the token in the browser (sessionStorage) and calling
the API as Bearer from every page: the checkout, ticket, PDF and refund pages
then work as plain server-rendered pages and forms (keyboard- and
screen-reader-friendly, no script needed after the search), the QR code and the
PDF are served by same-origin URLs the browser can open and download, and no
script can read a credential (the session cookie is HttpOnly). The session is
Flask's signed cookie: a client cannot add an order id it never proved, and the
token itself is never stored, only the fact. The cost: a guest's access lasts
as long as the browser session (logging in or out starts a new one); the PDF
download and the token from the API answer are how a guest keeps the ticket
beyond it.
"""
from __future__ import annotations

from flask import session
from flask_babel import gettext as _
from flask_login import current_user

from core.errors import Forbidden
from ticketing.models import Order
from ticketing.services import order_accessible

SESSION_KEY = "guest_orders"
REMEMBERED = 20  # the newest order ids a session keeps


def remember_guest_order(order: Order, access_token: str) -> bool:
    """True when ``access_token`` is the order's own token (and the session now remembers the order)."""
    if not order_accessible(order, access_token):
        return False
    known = [order_id for order_id in session.get(SESSION_KEY, []) if order_id != order.id]
    session[SESSION_KEY] = [*known, order.id][-REMEMBERED:]
    return True


def is_guest_order(order_id: str) -> bool:
    return order_id in session.get(SESSION_KEY, [])


def may_access(order: Order) -> bool:
    if current_user.is_authenticated:
        if current_user.role == "admin":
            return True
        if current_user.role == "passenger" and order.user_id is not None and order.user_id == current_user.id:
            return True
    return is_guest_order(order.id)


def check_page_access(order: Order) -> None:
    """``Forbidden`` (the 403 page) for anyone else."""
    if not may_access(order):
        raise Forbidden(_("This ticket belongs to someone else. Guests can open their tickets only in the browser "
                          "they booked with."))


def payer_user_id(order: Order) -> int | None:
    """The logged-in passenger who placed the order: only they may pay it from their wallet."""
    if current_user.is_authenticated and current_user.role == "passenger" and order.user_id == current_user.id:
        return int(current_user.id)
    return None
