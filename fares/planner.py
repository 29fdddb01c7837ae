"""Fare-aware journey planning: options that are fastest, fewest transfers and cheapest, each priced.

A fare belongs to a whole itinerary (zones touched, transfer discounts,
operators), not to the edges of the graph, so no single search finds the
cheapest journey. The planner searches a few candidates instead (fastest,
fewest transfers, and the fastest without each operator the first two use, or
with only that operator), times them, prices each with the fare engine and
picks per criterion on the timed result:

* ``fastest``: earliest arrival (then fewer transfers, then lower price);
* ``fewest_transfers``: fewest transfers (then earliest arrival);
* ``cheapest``: lowest total among the options that arrive within
  ``CHEAPEST_MAX_FACTOR`` times the fastest option's travel time (then earliest
  arrival), so that a long walk to save a few cents is not offered as a journey;
  an option without a total is never cheapest.

A ``Planner`` holds the network, its graph and the compiled search: build it
once per network and keep it between requests.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import networkx as nx

from core.errors import NoFareFound, NoJourneyFound
from core.money import Money
from fares.graph import TRANSFER_PENALTY_S, Search, build_graph, search_for, stop_node
from fares.network import Network
from fares.price import FareEngine, ItineraryLeg, Price
from fares.routing import BOARDING_PENALTIES, Journey, check_stops, journey_legs, plan_journeys

CHEAPEST_MAX_FACTOR = 2.0
MAX_OPERATOR_VARIANTS = 4  # searches without / with only one operator, per request
CRITERIA_ORDER = ("fastest", "fewest_transfers", "cheapest")
PLANNER_KEY = "farebridge_planner"  # where ``Planner.for_graph`` keeps a graph's planner


@dataclass(frozen=True, slots=True)
class Candidate:
    """A timed path before it is chosen for a criterion."""

    journey: Journey
    price: Price
    order: int  # the search that found it first: a stable tie-break


class Planner:
    """Network, routing graph and compiled search, made once and shared by requests (read-only)."""

    def __init__(self, network: Network, graph: nx.DiGraph | None = None) -> None:
        self.network = network
        self.graph = graph if graph is not None else build_graph(network)
        self.search: Search = search_for(self.graph)
        self.search.prepare((0.0, float(TRANSFER_PENALTY_S)))
        self.operators = frozenset(route.operator_id for route in network.routes.values())

    @classmethod
    def for_graph(cls, graph: nx.DiGraph, network: Network) -> Planner:
        """The planner of an existing graph, kept in the graph's attributes (so it lives as long as the graph)."""
        planner = graph.graph.get(PLANNER_KEY)
        if not isinstance(planner, Planner) or planner.network is not network:
            planner = graph.graph[PLANNER_KEY] = cls(network, graph)
        return planner

    def plan(self, from_stop: str, to_stop: str, at: datetime) -> list[Journey]:
        """As ``fares.routing.plan_journeys``: fastest and fewest transfers, unpriced."""
        return plan_journeys(self.graph, self.network, from_stop, to_stop, at)

    def candidates(self, from_stop: str, to_stop: str, at: datetime) -> list[Journey]:
        """Distinct timed journeys worth pricing, in the order the searches found them (criteria empty)."""
        check_stops(self.network, from_stop, to_stop)
        source, target = stop_node(from_stop), stop_node(to_stop)
        found: dict[tuple[Any, ...], Journey] = {}
        paths_done: set[tuple[Any, ...]] = set()

        def add(penalty: float, without: frozenset[str] = frozenset()) -> Journey | None:
            result = self.search.shortest_path(source, target, penalty, without)
            if result is None:
                return None
            key = tuple(result[1])
            if key in paths_done:
                return None
            paths_done.add(key)
            journey = Journey((), journey_legs(result[1], self.graph, self.network, at))
            found.setdefault(journey.signature(), journey)
            return journey

        fastest = add(BOARDING_PENALTIES["fastest"])
        fewest = add(BOARDING_PENALTIES["fewest_transfers"])
        if fastest is None:  # no path at all (the fewest-transfers search found none either)
            raise NoJourneyFound(f"no connection from {from_stop} to {to_stop}")
        on_fastest = {leg.operator_id for leg in fastest.legs if leg.operator_id is not None}
        used = list(dict.fromkeys(leg.operator_id for journey in (fastest, fewest) if journey is not None
                                  for leg in journey.legs if leg.operator_id is not None))
        variants: list[frozenset[str]] = []
        for operator in used:
            for without in (frozenset({operator}), self.operators - {operator}):
                # leaving out operators the fastest path does not use finds a path just as fast: no news
                if without & on_fastest and without != self.operators and without not in variants:
                    variants.append(without)
        for without in variants[:MAX_OPERATOR_VARIANTS]:
            add(BOARDING_PENALTIES["fastest"], without)
        return list(found.values())

    def plan_and_price(
        self, engine: FareEngine, from_stop: str, to_stop: str, at: datetime,
        rider_category: str | None = None, fare_media: str | None = None,
    ) -> list[tuple[Journey, Price]]:
        """Options that are fastest, fewest transfers or cheapest, each priced, earliest arrival first."""
        journeys = self.candidates(from_stop, to_stop, at)
        priced = [Candidate(j, price_journey(engine, j, rider_category, fare_media), i)
                  for i, j in enumerate(journeys)]
        return choose(priced, at)


def price_journey(engine: FareEngine, journey: Journey, rider_category: str | None = None,
                  fare_media: str | None = None) -> Price:
    """The engine's price of the journey's rides; a journey it cannot price gets a price without total."""
    rides = [ItineraryLeg(leg.route_id, leg.from_stop_id, leg.to_stop_id, leg.departure, leg.arrival)
             for leg in journey.legs if leg.route_id is not None]
    if not rides:
        return Price(engine.currency, Money.zero(engine.currency), rider_category, (), (), (),
                     ("walking only: no fare",))
    try:
        return engine.price(rides, rider_category, fare_media)
    except NoFareFound as exc:
        return Price(engine.currency, None, rider_category, (), (), (), (exc.message,),
                     unpriced_legs=tuple(range(len(rides))))


def _total(candidate: Candidate) -> int | None:
    total = candidate.price.total
    return total.minor if total is not None else None


def choose(candidates: Sequence[Candidate], at: datetime) -> list[tuple[Journey, Price]]:
    """Tag the candidates that win a criterion; the others are dropped."""
    if not candidates:
        return []
    unpriced = 1 << 62

    def fastest_key(c: Candidate) -> tuple[Any, ...]:
        total = _total(c)
        return (c.journey.arrival, c.journey.transfers, unpriced if total is None else total, c.order)

    fastest = min(candidates, key=fastest_key)
    winners: dict[int, list[str]] = {fastest.order: ["fastest"]}
    fewest = min(candidates, key=lambda c: (c.journey.transfers, c.journey.arrival, c.order))
    winners.setdefault(fewest.order, []).append("fewest_transfers")
    limit = (fastest.journey.arrival - at) * CHEAPEST_MAX_FACTOR
    affordable = [c for c in candidates if _total(c) is not None and c.journey.arrival - at <= limit]
    if affordable:
        cheapest = min(affordable, key=lambda c: (_total(c), c.journey.arrival, c.journey.transfers, c.order))
        winners.setdefault(cheapest.order, []).append("cheapest")
    options = [
        (Journey(tuple(name for name in CRITERIA_ORDER if name in winners[c.order]), c.journey.legs), c.price)
        for c in candidates if c.order in winners
    ]
    return sorted(options, key=lambda option: (option[0].arrival, option[0].transfers))


def plan_and_price(
    planner_or_graph: Planner | nx.DiGraph, network: Network, engine: FareEngine, from_stop: str, to_stop: str,
    at: datetime, rider_category: str | None = None, fare_media: str | None = None,
) -> list[tuple[Journey, Price]]:
    """``Planner.plan_and_price`` for callers that hold a planner or just the graph (compiled once per graph)."""
    planner = planner_or_graph if isinstance(planner_or_graph, Planner) else Planner.for_graph(planner_or_graph,
                                                                                               network)
    return planner.plan_and_price(engine, from_stop, to_stop, at, rider_category, fare_media)
