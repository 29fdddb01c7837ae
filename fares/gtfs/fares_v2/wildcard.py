"""What an empty rule field means, in the one place that decides it.

fare_leg_rules.txt without a ``rule_priority`` column (steps 2-3) and
fare_transfer_rules.txt (steps 3-4): an empty field "corresponds to all
<values> excluding the ones listed under" that column. So a value that some
rule names matches only rules that name it, and a value no rule names (or no
value at all) matches only rules that leave the field empty.

fare_leg_rules.txt with a ``rule_priority`` column (step 4): an empty field
"does not affect the matching of this rule": every value also matches the
empty field, and ``rule_priority`` then decides between the matches.

Rules are indexed by their field values (empty = None); these functions give
the keys under which a leg's value finds the rules that match it.
"""
from __future__ import annotations

from collections.abc import Collection

NONE_ONLY: tuple[None] = (None,)


def keys_for(value: str | None, listed: frozenset[str], empty_is_wildcard: bool) -> tuple[str | None, ...]:
    """Keys for one value of a leg (or None when the leg has no value for the field)."""
    if value is None or value not in listed:
        return NONE_ONLY
    return (value, None) if empty_is_wildcard else (value,)


def keys_for_any(values: Collection[str], listed: frozenset[str], empty_is_wildcard: bool) -> tuple[str | None, ...]:
    """Keys for a leg that has several values at once (a stop in several areas): any of them may match."""
    if len(values) == 1:
        for value in values:
            return keys_for(value, listed, empty_is_wildcard)
    named = [value for value in values if value in listed]
    if empty_is_wildcard or len(named) < len(values):
        return (*named, None)
    return tuple(named) if named else NONE_ONLY
