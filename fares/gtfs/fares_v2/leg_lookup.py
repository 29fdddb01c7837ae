"""Finding the fare_leg_rules that match a fare leg: one index lookup, then the time and priority filters.

The index is keyed by (network_id, from_area_id, to_area_id), empty = None;
``wildcard`` says under which keys a leg's values are found. Timeframes never
use the "all but the listed" reading: an empty timeframe group never affects
matching, with or without rule_priority.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from fares.gtfs.fares_v2.areas import AreaIndex
from fares.gtfs.fares_v2.join import FareLeg
from fares.gtfs.fares_v2.model import FareLegRule, FaresV2
from fares.gtfs.fares_v2.timeframes import TimeframeMatcher
from fares.gtfs.fares_v2.wildcard import keys_for, keys_for_any

Key = tuple[str | None, str | None, str | None]


class LegRuleLookup:
    def __init__(self, fares: FaresV2, areas: AreaIndex, timeframes: TimeframeMatcher) -> None:
        index: dict[Key, list[FareLegRule]] = defaultdict(list)
        for rule in fares.leg_rules:
            index[rule.network_id, rule.from_area_id, rule.to_area_id].append(rule)
        self._index = {key: tuple(rules) for key, rules in index.items()}
        self._networks = frozenset(rule.network_id for rule in fares.leg_rules if rule.network_id)
        self._from_areas = frozenset(rule.from_area_id for rule in fares.leg_rules if rule.from_area_id)
        self._to_areas = frozenset(rule.to_area_id for rule in fares.leg_rules if rule.to_area_id)
        self._wildcard = fares.rule_priority
        self._areas = areas
        self._timeframes = timeframes
        self._places: dict[tuple[str | None, str, str], tuple[tuple[FareLegRule, ...], bool]] = {}

    def match(self, leg: FareLeg) -> tuple[FareLegRule, ...]:
        """The matching rules, in file order; with rule_priority only those of the highest priority."""
        key = (leg.network_id, leg.from_stop_id, leg.to_stop_id)
        found = self._places.get(key)
        if found is None:
            if len(self._places) > 200_000:
                self._places.clear()
            found = self._places[key] = self._by_place(*key)
        rules, timed = found
        if not timed:
            return rules
        return self._by_priority(self._in_timeframes(rules, leg))

    def _by_place(self, network_id: str | None, from_stop_id: str, to_stop_id: str
                  ) -> tuple[tuple[FareLegRule, ...], bool]:
        """Rules matching the network and areas, and whether any of them names a timeframe group.

        Without timeframes the priority choice is already made; with them it waits for the time filter.
        """
        wildcard = self._wildcard
        found: list[FareLegRule] = []
        to_keys = keys_for_any(self._areas.of(to_stop_id), self._to_areas, wildcard)
        for network in keys_for(network_id, self._networks, wildcard):
            for from_area in keys_for_any(self._areas.of(from_stop_id), self._from_areas, wildcard):
                for to_area in to_keys:
                    found.extend(self._index.get((network, from_area, to_area), ()))
        found.sort(key=lambda rule: rule.line)
        timed = any(rule.from_timeframe_group_id or rule.to_timeframe_group_id for rule in found)
        return (tuple(found), True) if timed else (self._by_priority(found), False)

    def _by_priority(self, rules: list[FareLegRule] | tuple[FareLegRule, ...]) -> tuple[FareLegRule, ...]:
        """fare_leg_rules.rule_priority: of several matches, the rule or rules with the highest priority."""
        if self._wildcard and len(rules) > 1:
            top = max(rule.rule_priority for rule in rules)
            return tuple(rule for rule in rules if rule.rule_priority == top)
        return tuple(rules)

    def _in_timeframes(self, rules: tuple[FareLegRule, ...], leg: FareLeg) -> list[FareLegRule]:
        """fare_leg_rules.from_timeframe_group_id (leg departure) and to_timeframe_group_id (leg arrival).

        A rule naming a timeframe group cannot match a leg whose time is unknown.
        """
        start: tuple[date, int] | None = None
        end: tuple[date, int] | None = None
        kept = []
        for rule in rules:
            if rule.from_timeframe_group_id is not None:
                if leg.departure is None:
                    continue
                if start is None:
                    start = self._timeframes.local(leg.departure, leg.from_stop_id)
                if not self._timeframes.matches(rule.from_timeframe_group_id, *start):
                    continue
            if rule.to_timeframe_group_id is not None:
                if leg.arrival is None:
                    continue
                if end is None:
                    end = self._timeframes.local(leg.arrival, leg.to_stop_id)
                if not self._timeframes.matches(rule.to_timeframe_group_id, *end):
                    continue
            kept.append(rule)
        return kept
