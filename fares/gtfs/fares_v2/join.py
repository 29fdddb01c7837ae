"""fare_leg_join_rules.txt: consecutive legs that count as one effective fare leg.

For two consecutive legs, a join rule matches when the first leg's network is
``from_network_id`` and the second's is ``to_network_id``, and either the
first leg ends at ``from_stop_id`` and the second starts at ``to_stop_id``
(a station named there covers its platforms), or, when the rule names no
stops, both legs meet at the same station. Consecutive matching transfers
make one effective fare leg of the whole run.

Matching an effective fare leg against fare_leg_rules.txt uses the first
leg's departure stop and time and the last leg's arrival stop and time; a
network only when all its legs share one (``network_id`` is None otherwise).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fares.gtfs.basics import FeedBasics
from fares.gtfs.fares_v2.model import FareLegJoinRule
from fares.price import ItineraryLeg


@dataclass(frozen=True, slots=True)
class FareLeg:
    """An effective fare leg: one itinerary leg, or consecutive legs joined by join rules."""

    indexes: tuple[int, ...]
    network_id: str | None
    from_stop_id: str
    to_stop_id: str
    departure: datetime | None
    arrival: datetime | None
    join_rules: tuple[str, ...] = ()  # ids of the join rules that made it


def single_leg(index: int, leg: ItineraryLeg, network_id: str | None) -> FareLeg:
    return FareLeg((index,), network_id, leg.from_stop_id, leg.to_stop_id, leg.departure, leg.arrival)


class LegJoiner:
    def __init__(self, rules: Sequence[FareLegJoinRule], basics: FeedBasics) -> None:
        by_networks: dict[tuple[str, str], list[FareLegJoinRule]] = defaultdict(list)
        for rule in rules:
            by_networks[rule.from_network_id, rule.to_network_id].append(rule)
        self._by_networks = {key: tuple(found) for key, found in by_networks.items()}
        self._station_of = basics.station_of

    def join(self, legs: Sequence[ItineraryLeg], networks: Sequence[str | None]) -> list[FareLeg]:
        if not self._by_networks:
            return [single_leg(i, leg, network) for i, (leg, network) in enumerate(zip(legs, networks, strict=True))]
        fare_legs: list[FareLeg] = []
        start = 0
        joined: list[str] = []
        for i in range(len(legs)):
            rule = self._rule_between(legs[i], networks[i], legs[i + 1], networks[i + 1]) if i + 1 < len(legs) else None
            if rule is not None:
                joined.append(rule.id)
                continue
            if start == i:
                fare_legs.append(single_leg(i, legs[i], networks[i]))
            else:
                shared = set(networks[start:i + 1])
                fare_legs.append(FareLeg(tuple(range(start, i + 1)), shared.pop() if len(shared) == 1 else None,
                                         legs[start].from_stop_id, legs[i].to_stop_id, legs[start].departure,
                                         legs[i].arrival, tuple(joined)))
            start, joined = i + 1, []
        return fare_legs

    def _rule_between(self, before: ItineraryLeg, before_network: str | None, after: ItineraryLeg,
                      after_network: str | None) -> FareLegJoinRule | None:
        if before_network is None or after_network is None:
            return None
        for rule in self._by_networks.get((before_network, after_network), ()):
            if rule.from_stop_id is None or rule.to_stop_id is None:
                if self._station_of(before.to_stop_id) == self._station_of(after.from_stop_id):
                    return rule
            elif self._at(rule.from_stop_id, before.to_stop_id) and self._at(rule.to_stop_id, after.from_stop_id):
                return rule
        return None

    def _at(self, named: str, stop_id: str) -> bool:
        return named == stop_id or self._station_of(stop_id) == named
