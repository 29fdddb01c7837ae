"""Which fare_transfer_rules apply to a transfer between two fare legs.

* Leg groups (steps 2-4): a rule's ``from_leg_group_id``/``to_leg_group_id``
  matches the group itself; empty matches every leg group not listed in that
  column (``wildcard``). A leg whose rule has no ``leg_group_id`` belongs to no
  leg group, so no transfer rule applies to it.
* ``duration_limit`` is timed across the transfer sub-journey: from the first
  leg of the run of consecutive transfers matched by rules with the same
  from/to leg groups ("measured starting from the first matched leg") to the
  leg after this transfer, at the events ``duration_limit_type`` names. The
  limit itself is included; unknown times cannot satisfy a limit.
* ``transfer_count``: "the rule with the minimum transfer_count that is
  greater than or equal to the current transfer count of the sub-journey"
  (-1 = no limit) is selected; rules of other counts then do not apply.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from fares.gtfs.fares_v2.join import FareLeg
from fares.gtfs.fares_v2.model import FareTransferRule
from fares.gtfs.fares_v2.wildcard import keys_for

Groups = tuple[str | None, str | None]
_NO_LIMIT = 1 << 62


class TransferLookup:
    def __init__(self, rules: Sequence[FareTransferRule]) -> None:
        index: dict[Groups, list[FareTransferRule]] = defaultdict(list)
        for rule in rules:
            index[rule.groups].append(rule)
        self._index = {groups: tuple(found) for groups, found in index.items()}
        self._from = frozenset(rule.from_leg_group_id for rule in rules if rule.from_leg_group_id)
        self._to = frozenset(rule.to_leg_group_id for rule in rules if rule.to_leg_group_id)

    def __bool__(self) -> bool:
        return bool(self._index)

    def rules_between(self, from_group: str | None, to_group: str | None
                      ) -> tuple[Groups, tuple[FareTransferRule, ...]]:
        """The rules whose leg groups match (all share the same from/to fields), and those fields."""
        if from_group is None or to_group is None or not self._index:
            return (None, None), ()
        groups = (keys_for(from_group, self._from, False)[0], keys_for(to_group, self._to, False)[0])
        return groups, self._index.get(groups, ())


def within_duration(rule: FareTransferRule, first: FareLeg, last: FareLeg) -> bool:
    """duration_limit_type 0: first departure to last arrival; 1: departure to departure;
    2: first arrival to last departure; 3: arrival to arrival."""
    if rule.duration_limit is None:
        return True
    kind = rule.duration_limit_type
    start = first.departure if kind in (0, 1) else first.arrival
    end = last.arrival if kind in (0, 3) else last.departure
    if start is None or end is None:
        return False
    return (end - start).total_seconds() <= rule.duration_limit


def applicable(rules: Sequence[FareTransferRule], first: FareLeg, last: FareLeg, count: int) -> list[FareTransferRule]:
    """The rules that apply to the ``count``-th consecutive transfer of a sub-journey from ``first`` to ``last``."""
    timed = [rule for rule in rules if within_duration(rule, first, last)]
    if not timed or timed[0].transfer_count is None:  # leg groups differ: transfer_count is forbidden
        return timed
    limits = [_NO_LIMIT if rule.transfer_count == -1 else rule.transfer_count or 0 for rule in timed]
    allowed = [limit for limit in limits if limit >= count]
    if not allowed:
        return []
    smallest = min(allowed)
    return [rule for rule, limit in zip(timed, limits, strict=True) if limit == smallest]
