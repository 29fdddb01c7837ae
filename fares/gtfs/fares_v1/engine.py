"""Pricing an itinerary under a feed's Fares v1: the ``FareEngine`` for GTFS fare_attributes/fare_rules.

No marshmallow and no feed parsing here: the data was validated and indexed
by ``load_fares_v1``. Rider categories and fare media do not exist in v1 and
are ignored.

Zones: a stop's ``zone_id``, except for stations and entrances
(``location_type`` 1 and 2), whose zone_id the reference says is ignored. The
zones a leg passes come from ``Network.stops_between`` when the engine has a
network and the leg lies on one of its patterns, otherwise from the boarding
and alighting stops only. A leg on a route the feed does not define cannot be
priced.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import NoFareFound
from core.money import Money
from fares.gtfs.basics import FeedBasics, GtfsRoute
from fares.gtfs.fares_v1.cover import Cover, cheapest_cover
from fares.gtfs.fares_v1.matching import Group, covering_fares, matched_rules
from fares.gtfs.fares_v1.model import Fare, FaresV1
from fares.network import Network
from fares.price import ItineraryLeg, Price, PricedLeg, Product, split_by_operator


@dataclass(frozen=True, slots=True)
class LegZones:
    route: GtfsRoute | None
    origin: str | None  # zone of the boarding stop
    destination: str | None  # zone of the alighting stop
    zones: tuple[str, ...]  # zones passed, in travel order, a zone repeated only after leaving it


class FaresV1Engine:
    def __init__(self, data: FaresV1, basics: FeedBasics, network: Network | None = None) -> None:
        self.data = data
        self.basics = basics
        self.network = network
        self.currency = data.currency
        limits = [fare.attribute.transfers for fare in data.fares.values()]
        counted = [limit for limit in limits if limit is not None]
        # No group can be longer than the most transfers any fare permits, plus one.
        self._max_legs = None if len(counted) < len(limits) else max(counted, default=-1) + 1

    def zone_of(self, stop_id: str) -> str | None:
        stop = self.basics.stops.get(stop_id)
        if stop is None or stop.location_type in (1, 2):
            return None
        return stop.zone_id

    def leg_zones(self, leg: ItineraryLeg) -> LegZones:
        passed = self.network.stops_between(leg.route_id, leg.from_stop_id, leg.to_stop_id) if self.network else None
        stops = passed or (leg.from_stop_id, leg.to_stop_id)
        zones: list[str] = []
        for stop_id in stops:
            zone = self.zone_of(stop_id)
            if zone is not None and (not zones or zones[-1] != zone):
                zones.append(zone)
        return LegZones(self.basics.routes.get(leg.route_id), self.zone_of(leg.from_stop_id),
                        self.zone_of(leg.to_stop_id), tuple(zones))

    def groups(self, legs: Sequence[ItineraryLeg], facts: Sequence[LegZones]) -> dict[tuple[int, int], Group]:
        """Every run of consecutive legs on known routes, as the matching predicates see it."""
        out: dict[tuple[int, int], Group] = {}
        for start in range(len(legs)):
            routes: frozenset[str] = frozenset()
            agencies: frozenset[str] = frozenset()
            zones: frozenset[str] = frozenset()
            for end in range(start + 1, len(legs) + 1):
                if self._max_legs is not None and end - start > self._max_legs:
                    break
                last = facts[end - 1]
                if last.route is None:
                    break
                routes |= {last.route.id}
                agencies |= {last.route.agency_id}
                zones |= set(last.zones)
                first_departure, last_departure = legs[start].departure, legs[end - 1].departure
                elapsed = (last_departure - first_departure
                           if first_departure is not None and last_departure is not None else None)
                out[(start, end)] = Group(routes, agencies, facts[start].origin, last.destination, zones,
                                          end - start - 1, elapsed)
        return out

    def rider_category(self, rider_category: str | None) -> str | None:
        """Fares v1 has no rider categories: only "none given" is known."""
        if rider_category is not None:
            raise NoFareFound(f"unknown rider category {rider_category!r}: this GTFS Fares v1 tariff has none",
                              details={"field": "rider_category"}, code="unknown_rider_category")
        return None

    def price(
        self, legs: Sequence[ItineraryLeg], rider_category: str | None = None, fare_media: str | None = None
    ) -> Price:
        facts = [self.leg_zones(leg) for leg in legs]
        groups = self.groups(legs, facts)
        options: dict[tuple[int, int], Fare] = {}
        for span, group in groups.items():
            fares = covering_fares(self.data, group)
            if fares:
                options[span] = fares[0]
        covers = cheapest_cover(len(legs), options)

        products: list[Product] = []
        leg_rules: dict[int, tuple[str, ...]] = {}
        lines: list[str] = []
        for cover in covers:
            if cover.fare is None:
                lines.append(self._unpriced_line(cover.start, legs[cover.start], facts[cover.start]))
                continue
            group = groups[(cover.start, cover.end)]
            rules = matched_rules(group, cover.fare)
            indexes = tuple(range(cover.start, cover.end))
            products.append(Product(cover.fare.id, cover.fare.id, cover.fare.price, indexes, rules=rules))
            leg_rules.update(dict.fromkeys(indexes, rules))
            lines.append(self._product_line(cover, group))

        priced_legs = tuple(
            PricedLeg(
                index, fact.route.agency_id if fact.route else None, leg.route_id, leg.from_stop_id,
                leg.to_stop_id, fact.zones,
                options[(index, index + 1)].price if (index, index + 1) in options else None,
                leg_rules.get(index, ()),
            )
            for index, (leg, fact) in enumerate(zip(legs, facts, strict=True))
        )
        unpriced = tuple(cover.start for cover in covers if cover.fare is None)
        total = None
        if not unpriced:
            total = sum((p.amount for p in products), Money.zero(self.currency))
            lines.append(f"total {total} for {len(products)} fare(s)")
        else:
            lines.append(f"no total: leg(s) {', '.join(map(str, unpriced))} cannot be priced")
        return Price(
            currency=self.currency,
            total=total,
            rider_category=None,
            products=tuple(products),
            legs=priced_legs,
            operators=split_by_operator(total, priced_legs) if total is not None else (),
            rules=tuple(lines),
            unpriced_legs=unpriced,
        )

    @staticmethod
    def _product_line(cover: Cover, group: Group) -> str:
        assert cover.fare is not None
        attribute = cover.fare.attribute
        legs = f"leg {cover.start}" if cover.end - cover.start == 1 else f"legs {cover.start}-{cover.end - 1}"
        allowed = "unlimited" if attribute.transfers is None else str(attribute.transfers)
        text = (f"{legs}: fare {cover.fare.id} {cover.fare.price} (routes {', '.join(sorted(group.routes))}; "
                f"zone {group.origin or '-'} to {group.destination or '-'}; "
                f"{group.transfers} transfer(s), {allowed} allowed")
        if attribute.transfer_duration_s is not None and group.transfers:
            waited = f"{int(group.elapsed.total_seconds())} s" if group.elapsed is not None else "?"
            text += f"; last boarding {waited} after the first, within {attribute.transfer_duration_s} s"
        return text + ")"

    @staticmethod
    def _unpriced_line(index: int, leg: ItineraryLeg, fact: LegZones) -> str:
        if fact.route is None:
            return f"leg {index}: route {leg.route_id} is not in the feed"
        return (f"leg {index}: no fare covers route {leg.route_id} from zone {fact.origin or '-'} "
                f"to zone {fact.destination or '-'}")
