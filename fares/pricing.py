"""Pricing of an explicit itinerary under a zone tariff, with an explanation.

The through fare counts the distinct zones of the whole journey. Each
operator's *standalone* fare is what its legs would cost alone; the through
fare is divided among the operators in proportion to those standalone fares
(largest remainder, see ``core.money``), the same rule clearing applies.
"""
from __future__ import annotations

from collections.abc import Sequence

from core.errors import NoFareFound
from fares.network import Network
from fares.price import ItineraryLeg, Price, PricedLeg, Product, split_by_operator
from fares.tariff import ZoneTariff


def _zones_of(stop_ids: Sequence[str], network: Network) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for stop_id in stop_ids:
        zone = network.stops[stop_id].zone_id
        if zone is None:
            raise NoFareFound(f"stop {stop_id} has no fare zone", details={"stop_id": stop_id})
        seen.setdefault(zone)
    return tuple(seen)


def price_itinerary(
    legs: Sequence[ItineraryLeg], network: Network, tariff: ZoneTariff, rider_category: str | None = None
) -> Price:
    if not legs:
        raise NoFareFound("an itinerary needs at least one leg")
    category = tariff.category(rider_category)
    priced: list[PricedLeg] = []
    journey_stops: list[str] = []
    for index, leg in enumerate(legs):
        route = network.routes.get(leg.route_id)
        if route is None:
            raise NoFareFound(f"leg {index}: unknown route {leg.route_id!r}",
                              details={"leg": index, "field": "route_id"})
        stops = network.stops_between(leg.route_id, leg.from_stop_id, leg.to_stop_id)
        if stops is None:
            raise NoFareFound(
                f"leg {index}: route {leg.route_id} does not run from {leg.from_stop_id} to {leg.to_stop_id}",
                details={"leg": index, "field": "from_stop_id"},
            )
        zones = _zones_of(stops, network)
        journey_stops.extend(stops)
        priced.append(
            PricedLeg(index, route.operator_id, route.id, leg.from_stop_id, leg.to_stop_id, zones,
                      tariff.zone_fare(len(zones), category))
        )
    journey_zones = _zones_of(journey_stops, network)
    total = tariff.zone_fare(len(journey_zones), category)

    operators = split_by_operator(total, priced)
    zone_word = "zone" if len(journey_zones) == 1 else "zones"
    product = Product(
        id=f"zone-{len(journey_zones)}",
        name=f"{tariff.name}: {len(journey_zones)} {zone_word}",
        amount=total,
        leg_indexes=tuple(leg.index for leg in priced),
    )
    rules = (
        f"zone count: the journey touches {len(journey_zones)} {zone_word} ({', '.join(journey_zones)})",
        f"rider category {category.id}: factor {category.factor} of the adult fare, rounded half up to the cent",
        "operator shares: the through fare split in proportion to each operator's standalone fare "
        "(largest remainder)",
    )
    return Price(tariff.currency, total, category.id, (product,), tuple(priced), operators, rules, tariff.version_id)
