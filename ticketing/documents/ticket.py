"""What a ticket document shows, read from the stored order and ticket.

The document repeats what was sold (the order's locked legs and price
breakdown), never what the network or tariff says today; names of stops,
lines and operators are looked up for display and fall back to their ids.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.money import Money
from fares.models import RouteRow, StopRow, TariffVersion
from operators.models import Operator
from ticketing.models import Order, Ticket
from ticketing.services import get_order, get_ticket


@dataclass(frozen=True, slots=True)
class TicketLeg:
    route_name: str
    operator_id: str
    operator_name: str
    from_stop: str
    to_stop: str
    departure: datetime | None  # in the document's timezone
    arrival: datetime | None
    zones: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PriceLine:
    """A named amount: an operator's share or a fare product."""

    label: str
    amount: Money


@dataclass(frozen=True, slots=True)
class TicketDocument:
    ticket_id: str
    order_id: str
    status: str
    rider_category: str  # the category's name where the tariff gives one
    valid_from: datetime  # in the document's timezone
    valid_until: datetime
    timezone: str
    legs: tuple[TicketLeg, ...]
    total: Money
    operators: tuple[PriceLine, ...]
    products: tuple[PriceLine, ...]
    token: str
    issued_at: datetime


def _names(session: Session, model: Any, ids: Iterable[str], attribute: str) -> dict[str, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = session.execute(select(model.id, getattr(model, attribute)).where(model.id.in_(wanted)))
    return {row[0]: row[1] for row in rows}


def operator_names(session: Session, operator_ids: Iterable[str]) -> dict[str, str]:
    return _names(session, Operator, operator_ids, "name")


def rider_category_name(session: Session, tariff_version_id: int | None, category_id: str) -> str:
    """The name the tariff gives the category (native packages name them), else its id."""
    version = session.get(TariffVersion, tariff_version_id) if tariff_version_id is not None else None
    categories = version.content.get("rider_categories") if version is not None else None
    for category in categories if isinstance(categories, list) else []:
        if isinstance(category, dict) and category.get("id") == category_id and category.get("name"):
            return f"{category['name']} ({category_id})"
    return category_id


def _local(moment: str | None, zone: ZoneInfo) -> datetime | None:
    return datetime.fromisoformat(moment).astimezone(zone) if moment else None


def _legs(session: Session, order: Order, zone: ZoneInfo) -> tuple[TicketLeg, ...]:
    legs = order.legs
    stops = _names(session, StopRow, [s for leg in legs for s in (leg["from_stop_id"], leg["to_stop_id"])], "name")
    routes = _names(session, RouteRow, [leg["route_id"] for leg in legs], "short_name")
    operators = operator_names(session, [leg["operator_id"] for leg in legs if leg.get("operator_id")])
    return tuple(
        TicketLeg(
            route_name=routes.get(leg["route_id"], leg["route_id"]),
            operator_id=leg.get("operator_id") or "",
            operator_name=operators.get(leg.get("operator_id") or "", leg.get("operator_id") or ""),
            from_stop=stops.get(leg["from_stop_id"], leg["from_stop_id"]),
            to_stop=stops.get(leg["to_stop_id"], leg["to_stop_id"]),
            departure=_local(leg.get("departure"), zone),
            arrival=_local(leg.get("arrival"), zone),
            zones=tuple(leg.get("zones") or ()),
        )
        for leg in legs
    )


def _price_lines(session: Session, order: Order) -> tuple[tuple[PriceLine, ...], tuple[PriceLine, ...]]:
    breakdown, currency = order.breakdown, order.currency
    names = operator_names(session, [o["operator_id"] for o in breakdown["operators"]])
    operators = tuple(PriceLine(f"{names.get(o['operator_id'], o['operator_id'])} ({o['operator_id']})",
                                Money(o["amount_minor"], currency))
                      for o in breakdown["operators"])
    products = tuple(PriceLine(p["name"] or p["id"], Money(p["amount_minor"], currency))
                     for p in breakdown["products"])
    return operators, products


def _build(session: Session, ticket: Ticket, order: Order, timezone: str) -> TicketDocument:
    zone = ZoneInfo(timezone)
    operators, products = _price_lines(session, order)
    return TicketDocument(
        ticket_id=ticket.id,
        order_id=order.id,
        status=ticket.status,
        rider_category=rider_category_name(session, order.tariff_version_id, ticket.rider_category),
        valid_from=ticket.valid_from.astimezone(zone),
        valid_until=ticket.valid_until.astimezone(zone),
        timezone=timezone,
        legs=_legs(session, order, zone),
        total=Money(order.total_minor, order.currency),
        operators=operators,
        products=products,
        token=ticket.token,
        issued_at=ticket.created_at.astimezone(zone),
    )


def ticket_document(session: Session, ticket_id: str, timezone: str = "UTC") -> TicketDocument:
    """``NotFound`` for an unknown ticket; times are shown in ``timezone`` (the network's)."""
    ticket = get_ticket(session, ticket_id)
    return _build(session, ticket, get_order(session, ticket.order_id), timezone)
