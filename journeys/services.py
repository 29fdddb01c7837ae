"""Planning as the application asks for it: the active timetable's planner priced by the active tariff.

The planner searches the Pareto set over arrival, transfers and price with
the tariff's exact fare state (``fares.fare_search``); each option's price is
the fare engine's, the same that prices an explicit itinerary or an order.
A search that outgrows ``PLAN_MAX_LABELS`` (a large network under a tariff
whose fare states compare little) would answer too late for a page; the
request then gets the RAPTOR range query's options (arrival against
transfers, several departures), each priced by the engine, and ``Plan.exact``
says so. A network stored without a timetable (one installed before
timetables were kept, or a native network package) is planned by the
frequency planner of ``fares.planner``, whose rides have no ``trip_id``.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from fares.cache import pricing_context
from fares.fare_search import fare_search_for
from fares.routing import Journey as FrequencyJourney
from journeys.cache import timetable_planner
from journeys.journey import Journey, JourneyLeg
from journeys.mcraptor import SearchTooLarge
from journeys.planner import DEFAULT_WINDOW, labelled

#: Labels a request's price search may make before it falls back (the demo needs a few thousand at most).
PLAN_MAX_LABELS = 20_000

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Plan:
    """The options, earliest arrival first, and the names of the stops they use."""

    options: tuple[Journey, ...]
    stop_names: Mapping[str, str]
    timetable: bool  # planned on the exact timetable (False: the frequency model)
    exact: bool  # the Pareto set over arrival, transfers and price (False: priced RAPTOR options)


def plan_and_price(session: Session, from_stop: str, to_stop: str, at: datetime, rider_category: str | None,
                   window: timedelta = DEFAULT_WINDOW) -> Plan:
    context = pricing_context(session)
    context.engine.rider_category(rider_category)  # an unknown category fails before planning
    planner = timetable_planner(session)
    if planner is None:
        options = context.planner.plan_and_price(context.engine, from_stop, to_stop, at, rider_category)
        names = {stop.id: stop.name for stop in context.network.stops.values()}
        return Plan(tuple(_from_frequency_model(j, p) for j, p in options), names, False, False)
    names = {stop.stop_id: stop.name for stop in planner.timetable.stops}
    fare_search = fare_search_for(context.engine, rider_category)
    try:
        journeys = planner.plan(from_stop, to_stop, at, fare_search, window, max_labels=PLAN_MAX_LABELS)
    except SearchTooLarge:
        log.info("price search too large from=%s to=%s at=%s: priced RAPTOR options", from_stop, to_stop, at)
        priced = (Journey((), j.legs, fare_search.price(j.rides)) for j in planner.departures(
            from_stop, to_stop, at, window))
        return Plan(tuple(labelled(priced, priced=True)), names, True, False)
    return Plan(tuple(journeys), names, True, True)


def _from_frequency_model(journey: FrequencyJourney, price: object) -> Journey:
    legs = tuple(JourneyLeg(leg.mode, leg.from_stop_id, leg.to_stop_id, leg.departure, leg.arrival,
                            operator_id=leg.operator_id, route_id=leg.route_id, route_name=leg.route_name,
                            stop_ids=leg.stop_ids) for leg in journey.legs)
    return Journey(journey.criteria, legs, price)  # type: ignore[arg-type]
