"""Planning as the application asks for it: the active timetable's planner priced by the active tariff.

The planner searches the Pareto set over arrival, transfers and price with
the tariff's exact fare state (``fares.fare_search``); each option's price is
the fare engine's, the same that prices an explicit itinerary or an order.
A network stored without a timetable (one installed before timetables were
kept, or a native network package) is planned by the frequency planner of
``fares.planner``, whose rides have no ``trip_id``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from fares.cache import pricing_context
from fares.fare_search import fare_search_for
from fares.routing import Journey as FrequencyJourney
from journeys.cache import timetable_planner
from journeys.journey import Journey, JourneyLeg
from journeys.planner import DEFAULT_WINDOW


@dataclass(frozen=True, slots=True)
class Plan:
    """The options, earliest arrival first, and the names of the stops they use."""

    options: tuple[Journey, ...]
    stop_names: Mapping[str, str]
    timetable: bool  # planned on the exact timetable (False: the frequency model)


def plan_and_price(session: Session, from_stop: str, to_stop: str, at: datetime, rider_category: str | None,
                   window: timedelta = DEFAULT_WINDOW) -> Plan:
    context = pricing_context(session)
    context.engine.rider_category(rider_category)  # an unknown category fails before planning
    planner = timetable_planner(session)
    if planner is None:
        options = context.planner.plan_and_price(context.engine, from_stop, to_stop, at, rider_category)
        names = {stop.id: stop.name for stop in context.network.stops.values()}
        return Plan(tuple(_from_frequency_model(j, p) for j, p in options), names, False)
    fare_search = fare_search_for(context.engine, rider_category)
    journeys = planner.plan(from_stop, to_stop, at, fare_search, window)
    names = {stop.stop_id: stop.name for stop in planner.timetable.stops}
    return Plan(tuple(journeys), names, True)


def _from_frequency_model(journey: FrequencyJourney, price: object) -> Journey:
    legs = tuple(JourneyLeg(leg.mode, leg.from_stop_id, leg.to_stop_id, leg.departure, leg.arrival,
                            operator_id=leg.operator_id, route_id=leg.route_id, route_name=leg.route_name,
                            stop_ids=leg.stop_ids) for leg in journey.legs)
    return Journey(journey.criteria, legs, price)  # type: ignore[arg-type]
