"""What a candidate tariff version would have changed: last period's sold journeys re-priced under it.

Each paid journey order of the period (passes and subscriptions are not
journeys and are only counted) is priced again under the candidate version
(``fares.cache`` engines, the order's own legs and rider category) and both
amounts are split among the operators the way clearing splits a sale
(``clearing.apportionment.apportion``: commission and clearing fee first, then
the rule the tariff gives the products), so the per-operator figures compare
like with like. A journey the candidate cannot price (a route or stop it does
not know, a rider category it lacks, no fare for a leg) is listed with the
reason and left out of the comparison, never silently dropped.

Refunds are not taken into account: the comparison is of what was sold.
Each side carries the operators' sub-cent remainders from sale to sale as
clearing does (``clearing.carry``), starting at zero in the period.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearing.apportionment import SaleLeg, deductions, entitle, rule_from_payload
from clearing.carry import round_with_carry
from clearing.periods import parse_period, period_of
from core.errors import FarebridgeError, NotFound
from fares.cache import PricingContext, pricing_context
from fares.distance import leg_distance_m
from fares.models import TariffVersion
from fares.native.v2 import NativeV2Engine
from fares.native.v2.apportionment import STANDALONE_FARES, Apportionment
from fares.price import ItineraryLeg, Price
from ticketing.models import PAID, Order
from ticketing.services import _apportionment_payload  # the rule a payment puts in its SalePaid event

MAX_LISTED_UNPRICED = 200


@dataclass(frozen=True, slots=True)
class OperatorImpact:
    operator_id: str
    paid_minor: int  # the operator's share of what was paid for the compared journeys
    candidate_minor: int  # its share had they been sold under the candidate

    @property
    def difference_minor(self) -> int:
        return self.candidate_minor - self.paid_minor

    @property
    def change_percent(self) -> Decimal | None:
        if not self.paid_minor:
            return None
        return (Decimal(self.difference_minor * 100) / Decimal(self.paid_minor)).quantize(Decimal("0.1"))


@dataclass(frozen=True, slots=True)
class UnpricedJourney:
    order_id: str
    paid_at: datetime | None
    rider_category: str
    routes: tuple[str, ...]
    paid_minor: int
    reason: str


@dataclass(frozen=True, slots=True)
class RevenueImpact:
    candidate_version_id: int
    period: str
    currency: str
    journeys: int  # paid journey orders of the period
    compared: int  # those the candidate priced
    passes: int  # pass and subscription sales of the period (not re-priced)
    operators: tuple[OperatorImpact, ...]
    paid_deductions_minor: int  # commission and clearing fees of the compared journeys
    candidate_deductions_minor: int
    unpriced: tuple[UnpricedJourney, ...]  # at most MAX_LISTED_UNPRICED
    unpriced_count: int
    unpriced_paid_minor: int

    @property
    def paid_minor(self) -> int:
        return sum(o.paid_minor for o in self.operators) + self.paid_deductions_minor

    @property
    def candidate_minor(self) -> int:
        return sum(o.candidate_minor for o in self.operators) + self.candidate_deductions_minor

    @property
    def difference_minor(self) -> int:
        return self.candidate_minor - self.paid_minor


def _hint(context: PricingContext | None, product_ids: Iterable[str]) -> Apportionment:
    """As at payment: the products' own hint if they agree, else the package's; standalone fares elsewhere."""
    engine = context.engine if context else None
    if not isinstance(engine, NativeV2Engine):
        return Apportionment(STANDALONE_FARES)
    hints = {engine.model.apportionment_for(product_id) for product_id in product_ids}
    return hints.pop() if len(hints) == 1 else engine.model.apportionment


def _distance(context: PricingContext | None, route_id: str | None, from_stop: str | None,
              to_stop: str | None) -> int | None:
    if context is None or not (route_id and from_stop and to_stop):
        return None
    return leg_distance_m(context.network, route_id, from_stop, to_stop)


class ClearingSplitter:
    """Splits sales one after another as clearing does: deductions first, the rule, each operator's carry.

    The carries start at zero for the period (``clearing.carry``), so the paid
    side matches the booked shares when the period's cleared sales are these
    journeys (passes sold in the period move real carries by a cent).
    """

    def __init__(self) -> None:
        self.carries: dict[str, int] = {}

    def split(self, amount_minor: int, legs: Sequence[dict[str, Any]], context: PricingContext | None,
              product_ids: Iterable[str]) -> tuple[dict[str, int], int]:
        """(operator id -> share, commission + clearing fee) of ``amount_minor`` under ``context``'s tariff."""
        sale_legs = [SaleLeg(str(leg["operator_id"]), int(leg.get("standalone_minor") or 0),
                             _distance(context, leg.get("route_id"), leg.get("from_stop_id"),
                                       leg.get("to_stop_id")),
                             len(leg.get("zones") or ()))
                     for leg in legs if leg.get("operator_id")]
        rule = rule_from_payload(_apportionment_payload(_hint(context, product_ids)))
        commission, fee = deductions(amount_minor, rule)
        entitlement = entitle(amount_minor - commission - fee, sale_legs, rule)
        carried = round_with_carry(entitlement, self.carries)
        self.carries.update(carried.carries)
        return dict(zip(entitlement.operator_ids, carried.parts, strict=True)), commission + fee


def _itinerary(order: Order) -> tuple[ItineraryLeg, ...]:
    return tuple(
        ItineraryLeg(leg["route_id"], leg["from_stop_id"], leg["to_stop_id"],
                     datetime.fromisoformat(leg["departure"]) if leg.get("departure") else None,
                     datetime.fromisoformat(leg["arrival"]) if leg.get("arrival") else None)
        for leg in order.legs
    )


def _priced_legs(price: Price) -> list[dict[str, Any]]:
    return [{"operator_id": leg.operator_id, "route_id": leg.route_id, "from_stop_id": leg.from_stop_id,
             "to_stop_id": leg.to_stop_id, "zones": list(leg.zones),
             "standalone_minor": leg.standalone.minor if leg.standalone else 0} for leg in price.legs]


def _context(session: Session, version_id: int | None,
             cache: dict[int | None, PricingContext | None]) -> PricingContext | None:
    if version_id not in cache:
        try:
            cache[version_id] = pricing_context(session, version_id) if version_id else None
        except FarebridgeError:
            cache[version_id] = None  # a version that cannot be built: weights without distances
    return cache[version_id]


def _reprice(context: PricingContext, order: Order) -> Price | str:
    """The candidate's price, or why there is none."""
    if context.engine.currency != order.currency:
        return f"the candidate is in {context.engine.currency}, the sale was in {order.currency}"
    try:
        price = context.engine.price(_itinerary(order), order.rider_category)
    except FarebridgeError as error:
        return error.message
    except (KeyError, ValueError) as error:  # a leg the candidate's network does not have
        return f"the candidate cannot read this journey: {error}"
    if price.total is None:
        return f"no fare for leg(s) {', '.join(str(i + 1) for i in price.unpriced_legs)}"
    return price


def simulate_revenue_impact(session: Session, candidate_version_id: int, period: str) -> RevenueImpact:
    """Re-price ``period``'s paid journeys under the candidate version and compare per operator."""
    start, end = parse_period(period)
    candidate_version = session.get(TariffVersion, candidate_version_id)
    if candidate_version is None:
        raise NotFound(f"no tariff version {candidate_version_id}")
    candidate = pricing_context(session, candidate_version_id)
    contexts: dict[int | None, PricingContext | None] = {}
    paid: dict[str, int] = defaultdict(int)
    repriced: dict[str, int] = defaultdict(int)
    deducted_minor = [0, 0]
    paid_splitter, candidate_splitter = ClearingSplitter(), ClearingSplitter()
    journeys = compared = passes = unpriced_count = unpriced_paid = 0
    unpriced: list[UnpricedJourney] = []
    orders = session.scalars(
        select(Order).where(Order.status == PAID, Order.paid_at >= start, Order.paid_at < end)
        .order_by(Order.paid_at, Order.id).execution_options(yield_per=500)
    )
    for order in orders:
        if not any(leg.get("route_id") for leg in order.legs):
            passes += 1
            continue
        journeys += 1
        outcome = _reprice(candidate, order)
        # Every journey moves the carries, as it did in clearing; only the compared ones are added up.
        before = paid_splitter.split(order.total_minor, order.legs,
                                     _context(session, order.tariff_version_id, contexts),
                                     (p["id"] for p in (order.breakdown or {}).get("products", [])))
        if isinstance(outcome, str):
            unpriced_count += 1
            unpriced_paid += order.total_minor
            if len(unpriced) < MAX_LISTED_UNPRICED:
                unpriced.append(UnpricedJourney(order.id, order.paid_at, order.rider_category,
                                                tuple(str(leg.get("route_id")) for leg in order.legs
                                                      if leg.get("route_id")), order.total_minor, outcome))
            continue
        compared += 1
        assert outcome.total is not None
        after = candidate_splitter.split(outcome.total.minor, _priced_legs(outcome), candidate,
                                         (p.id for p in outcome.products))
        for (shares, deducted), totals, index in ((before, paid, 0), (after, repriced, 1)):
            for operator_id, amount in shares.items():
                totals[operator_id] += amount
            deducted_minor[index] += deducted
    operators = tuple(OperatorImpact(op, paid.get(op, 0), repriced.get(op, 0))
                      for op in sorted(set(paid) | set(repriced)))
    return RevenueImpact(
        candidate_version_id=candidate_version_id, period=period, currency=candidate_version.currency,
        journeys=journeys, compared=compared, passes=passes, operators=operators,
        paid_deductions_minor=deducted_minor[0], candidate_deductions_minor=deducted_minor[1],
        unpriced=tuple(unpriced), unpriced_count=unpriced_count, unpriced_paid_minor=unpriced_paid,
    )


def default_period(session: Session, now: datetime) -> str:
    """Last month when it sold anything (the usual question before an activation), else this month."""
    this_start, _ = parse_period(period_of(now))
    last = period_of(this_start - timedelta(days=1))
    start, end = parse_period(last)
    sold = session.scalar(select(Order.id).where(Order.status == PAID, Order.paid_at >= start,
                                                 Order.paid_at < end).limit(1))
    return last if sold else period_of(now)
