"""Booking for passengers and guests: search (in the browser, through the JSON API), checkout, payment.

The search page renders the form with what the API does not tell (the active
tariff's rider categories, operator names) and booking.js does the rest with at
most three API calls per search: a stop suggestion per field (debounced) and
one ``GET /api/v1/journeys`` that brings every option priced. Choosing an option
is ``POST /api/v1/orders``; the order's guest token is then proved to
``POST /book/orders/<id>/access`` (see webapp.web.order_access), and checkout
and payment are a server-rendered page and form.

Every view is ``@public`` (guests book too); what an order's pages show, and to
whom, is decided by webapp.web.order_access.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from core.db import utcnow
from core.errors import (
    FarebridgeError,
    Forbidden,
    InvalidStateTransition,
    NoFareFound,
    PaymentDeclined,
    PaymentProviderUnavailable,
    QuoteExpired,
    ValidationFailed,
)
from fares.models import RouteRow, StopRow
from fares.rider_categories import RiderChoice, active_rider_choices
from operators.services import list_operators
from ticketing.documents.ticket import rider_category_name
from ticketing.models import QUOTED, Order, Ticket
from ticketing.payment_providers import sandbox_provider
from ticketing.services import PayOrder, get_order, pay_order
from ticketing.wallets import Wallet, wallet_of
from webapp.extensions import runtime, signer
from webapp.relay import relay_now
from webapp.web.navigation import NavItem
from webapp.web.order_access import check_page_access, payer_user_id, remember_guest_order
from webapp.web.session_auth import public

log = logging.getLogger(__name__)

bp = Blueprint("booking", __name__)

NAV = (NavItem("booking.search", _l("Book a trip"), ("anonymous", "passenger")),)

MODES = {"bus": _l("Bus"), "rail": _l("Train"), "tram": _l("Tram"), "ferry": _l("Ferry"), "walk": _l("Walk")}
CRITERIA = {"fastest": _l("fastest"), "fewest_transfers": _l("fewest transfers"), "cheapest": _l("cheapest")}


def _script_texts() -> dict[str, str]:
    """What booking.js shows, in the page's language (the script holds no text of its own)."""
    return {
        "suggestions": _("%(count)s suggestions; use the arrow keys to choose.", count="{count}"),
        "no_suggestions": _("No stop matches."),
        "choose_stop": _("Choose a stop from the suggestions."),
        "same_stops": _("Departure and destination must differ."),
        "searching": _("Searching…"),
        "found": _("%(count)s journeys found.", count="{count}"),
        "found_one": _("1 journey found."),
        "none_found": _("No journey found. Try another time or other stops."),
        "failed": _("The search failed. Please try again."),
        "check_input": _("Please check the date and the time."),
        "departed": _("This journey has already left. Please search again."),
        "check_email": _("Please check the e-mail address."),
        "choose": _("Choose this journey"),
        "ordering": _("Holding the price…"),
        "order_failed": _("This journey could not be booked: %(message)s", message="{message}"),
        "duration": _("%(minutes)s min", minutes="{minutes}"),
        "transfers": _("%(count)s transfers", count="{count}"),
        "transfer_one": _("1 transfer"),
        "direct": _("direct"),
        "total": _("Total"),
        "operator": _("Operator"),
        "share": _("Share of the fare"),
        "breakdown": _("Price per operator"),
        "legs": _("Legs"),
        "option": _("Option %(number)s", number="{number}"),
        "unpriced": _("No fare covers this journey."),
        "towards": _("towards %(headsign)s", headsign="{headsign}"),
        "window": _("Departing after %(time)s", time="{time}"),
        "searching_earlier": _("Searching earlier journeys…"),
        "searching_later": _("Searching later journeys…"),
        "no_earlier": _("No earlier journey found."),
        # the trade-off between the options (booking.js comparisonText): comparatives joined by commas
        "slower": _("%(minutes)s min slower", minutes="{minutes}"),
        "faster": _("%(minutes)s min faster", minutes="{minutes}"),
        "arrives_later": _("arrives %(minutes)s min later", minutes="{minutes}"),
        "arrives_earlier": _("arrives %(minutes)s min earlier", minutes="{minutes}"),
        "cheaper": _("%(amount)s cheaper", amount="{amount}"),
        "dearer": _("%(amount)s more expensive", amount="{amount}"),
        "transfer_fewer_one": _("1 transfer fewer"),
        "transfers_fewer": _("%(count)s transfers fewer", count="{count}"),
        "transfer_more_one": _("1 more transfer"),
        "transfers_more": _("%(count)s more transfers", count="{count}"),
        "than_fastest": _("%(comparison)s than the fastest", comparison="{comparison}"),
        "than_cheapest": _("%(comparison)s than the cheapest", comparison="{comparison}"),
        "than_fastest_same_price": _("%(comparison)s than the fastest, at the same price", comparison="{comparison}"),
        "than_cheapest_same_price": _("%(comparison)s than the cheapest, at the same price",
                                      comparison="{comparison}"),
        "same_as_fastest": _("Same arrival, transfers and price as the fastest"),
        "same_as_cheapest": _("Same arrival, transfers and price as the cheapest"),
        **{f"mode_{mode}": str(label) for mode, label in MODES.items()},
        **{f"criterion_{name}": str(label) for name, label in CRITERIA.items()},
    }


def _now_local() -> datetime:
    return datetime.now(ZoneInfo(runtime().settings.timezone))


@bp.get("/book")
@public
def search() -> str:
    now = _now_local() + timedelta(minutes=5)
    now = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    with runtime().session_factory() as session:
        operators = {o.id: o.name for o in list_operators(session)}
        try:
            riders: tuple[RiderChoice, ...] = active_rider_choices(session)
            tariff_missing = False
        except NoFareFound:
            riders, tariff_missing = (), True
    return render_template(
        "booking/search.html", riders=riders, tariff_missing=tariff_missing, date=now.date().isoformat(),
        time=now.strftime("%H:%M"), script_data={"operators": operators, "text": _script_texts(),
                                                 "checkout": url_for("booking.checkout", order_id="ORDER_ID"),
                                                 "access": url_for("booking.access", order_id="ORDER_ID")},
    )


@bp.post("/book/orders/<order_id>/access")
@public
def access(order_id: str) -> tuple[Response, int]:
    """booking.js proves the guest token it got from POST /api/v1/orders (CSRF-checked like every form)."""
    body = request.get_json(silent=True) or {}
    token = body.get("access_token") if isinstance(body, dict) else None
    with runtime().session_factory() as session:
        order = session.get(Order, order_id)
        if order is None or not isinstance(token, str) or not remember_guest_order(order, token):
            return jsonify({"error": {"code": "forbidden", "message": "not this order's access token"}}), 403
    return jsonify({"checkout": url_for("booking.checkout", order_id=order_id)}), 200


def _order_view(session: Session, order: Order) -> dict[str, Any]:
    """The order's locked legs and price with the names of stops, lines and operators."""
    stop_ids = {leg[key] for leg in order.legs for key in ("from_stop_id", "to_stop_id")}
    stops = {row[0]: row[1] for row in session.execute(select(StopRow.id, StopRow.name)
                                                       .where(StopRow.id.in_(stop_ids)))}
    route_ids = {leg["route_id"] for leg in order.legs if leg.get("route_id")}
    routes = {row[0]: row[1] for row in session.execute(select(RouteRow.id, RouteRow.short_name)
                                                        .where(RouteRow.id.in_(route_ids)))}
    operators = {o.id: o.name for o in list_operators(session)}
    legs = [{**leg, "from_name": stops.get(leg["from_stop_id"], leg["from_stop_id"]),
             "to_name": stops.get(leg["to_stop_id"], leg["to_stop_id"]),
             "route_name": routes.get(leg["route_id"], leg["route_id"]),
             "operator_name": operators.get(leg.get("operator_id") or "", leg.get("operator_id") or "")}
            for leg in order.legs]
    shares = [{"operator_id": o["operator_id"], "name": operators.get(o["operator_id"], o["operator_id"]),
               "amount_minor": o["amount_minor"]} for o in order.breakdown["operators"]]
    return {"order": order, "legs": legs, "shares": shares,
            "rider_name": rider_category_name(session, order.tariff_version_id, order.rider_category)}


def _wallet(session: Session, order: Order) -> Wallet | None:
    user_id = payer_user_id(order)
    return wallet_of(session, user_id, order.currency) if user_id is not None else None


def _ticket_of(session: Session, order_id: str) -> Ticket | None:
    return session.scalars(select(Ticket).where(Ticket.order_id == order_id)).one_or_none()


def _checkout_page(order_id: str, error: str | None = None, status: int = 200,
                   method: str = "card", card_token: str = "") -> str | Response | tuple[str, int]:
    with runtime().session_factory() as session:
        order = get_order(session, order_id)
        check_page_access(order)
        ticket = _ticket_of(session, order_id)
        if ticket is not None:
            return redirect(url_for("ticket_pages.show", ticket_id=ticket.id))
        view = _order_view(session, order)
        wallet = _wallet(session, order)
        expired = order.status == QUOTED and order.expires_at <= utcnow()
        page = render_template("booking/checkout.html", **view, wallet=wallet, expired=expired, error=error,
                               method=method, card_token=card_token)
    return page, status


@bp.get("/book/orders/<order_id>")
@public
def checkout(order_id: str) -> str | Response | tuple[str, int]:
    return _checkout_page(order_id)


def _payment_error(error: FarebridgeError, method: str) -> tuple[str, int]:
    """The passenger's words for what went wrong, and the status the API would give."""
    if isinstance(error, PaymentDeclined) and method == "wallet":
        return _("The wallet balance is too low for this ticket. Please pay by card."), 402
    if isinstance(error, PaymentDeclined):
        return _("Your card was declined. No money was taken. Please use another card."), 402
    if isinstance(error, QuoteExpired):
        return _("The price was held for a limited time and that time is over. Please search again."), 409
    if isinstance(error, PaymentProviderUnavailable):
        return _("The payment service is not reachable at the moment. No money was taken. Please try again."), 503
    if isinstance(error, Forbidden):
        return _("This wallet cannot pay for this order."), 403
    if isinstance(error, ValidationFailed):
        return _("Please enter the card."), 422
    return error.message, 409


@bp.post("/book/orders/<order_id>/payment")
@public
def pay(order_id: str) -> str | Response | tuple[str, int]:
    method = request.form.get("method", "card")
    card_token = request.form.get("card_token", "").strip()[:100]
    rt = runtime()
    with rt.session_factory() as session:
        order = get_order(session, order_id)
        check_page_access(order)
        wallet = _wallet(session, order)
    if method not in ("card", "wallet") or (method == "wallet" and wallet is None):
        return _checkout_page(order_id, _("Please choose a way to pay."), 422)
    cmd = PayOrder(order_id, method, card_token or None, wallet.id if method == "wallet" and wallet else None,
                   payer_user_id(order))
    try:
        ticket = pay_order(rt.uow(), cmd, utcnow(), sandbox_provider(), signer())
    except InvalidStateTransition as error:
        if error.code != "already_paid":
            raise
        return _checkout_page(order_id)  # a second click: the ticket is there
    except FarebridgeError as error:
        message, status = _payment_error(error, method)
        log.info("page payment refused order_id=%s code=%s", order_id, error.code)
        return _checkout_page(order_id, message, status, method, card_token if method == "card" else "")
    relay_now()
    return redirect(url_for("ticket_pages.show", ticket_id=ticket.id, paid=1))


def logged_in_passenger() -> bool:
    return bool(current_user.is_authenticated and current_user.role == "passenger")


@bp.app_template_filter("clock")
def clock(value: datetime | str | None) -> str:
    """08:05 (de) or 8:05 AM (en), in the network's time zone; pages show the date once, above the legs."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return str(format_time(moment, "short"))


@bp.app_context_processor
def _booking_globals() -> dict[str, Any]:
    return {"booking_modes": MODES, "logged_in_passenger": logged_in_passenger}
