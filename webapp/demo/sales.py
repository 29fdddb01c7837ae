"""Demo sales: paid journeys across the network, so the operator portal and the admin's revenue
simulation have figures on a first run. They go through the real order and payment services."""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from core.errors import FarebridgeError
from core.runtime import Runtime
from fares.cache import pricing_context
from journeys.services import plan_and_price
from ticketing.models import Order
from ticketing.payment_providers import sandbox_provider
from ticketing.services import CreateOrder, PayOrder, create_order, pay_order
from ticketing.token import TicketSigner

DEMO_SALES = 40
RIDERS = ("adult", "adult", "adult", "child", "senior")  # mostly adults, as on a real network


def has_sales(rt: Runtime) -> bool:
    with rt.session_factory() as session:
        return bool(session.scalar(select(func.count()).select_from(Order)))


def book_demo_sales(rt: Runtime, signer: TicketSigner, start: datetime, end: datetime, count: int = DEMO_SALES,
                    seed: int = 2026, on_paid: Callable[[], None] = lambda: None) -> int:
    """Book and pay up to ``count`` journeys between random stops, sold evenly from ``start`` to ``end``
    (each for a departure two hours after its sale); return how many were paid.

    Stop pairs without a journey are skipped; the same seed books the same journeys.
    """
    chooser = random.Random(seed)
    tz = ZoneInfo(rt.settings.timezone)
    step = (end - start) / (count * 3)
    ttl = timedelta(seconds=rt.settings.quote_ttl_seconds)
    with rt.session_factory() as session:
        stops = sorted(pricing_context(session).network.stops)
    paid = 0
    for _attempt in range(count * 3):  # some stop pairs have no journey
        if paid == count:
            break
        origin, destination = chooser.sample(stops, 2)
        rider = chooser.choice(RIDERS)
        sold_at = start + step * (paid * 3 + 1)
        departure = (sold_at + timedelta(hours=2)).astimezone(tz)
        try:
            with rt.session_factory() as session:
                options = plan_and_price(session, origin, destination, departure, rider).options
            journey = options[0]
            if journey.price is None or journey.price.total is None:
                continue
            legs = journey.rides
            order, _token = create_order(rt.uow(), CreateOrder(legs, rider, None), sold_at, ttl)
            pay_order(rt.uow(), PayOrder(order.id, "card", "tok_ok"), sold_at, sandbox_provider(), signer)
        except (FarebridgeError, IndexError):  # no journey between these stops, or none with a fare
            continue
        paid += 1
        on_paid()
    return paid
