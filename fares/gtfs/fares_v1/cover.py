"""The cheapest way to cover an itinerary's legs with fares: consecutive groups, one fare each.

Dynamic programming over leg positions: ``best[end]`` is the best cover of
legs ``0..end-1``, built from ``best[start]`` plus one group ``start..end-1``.
Covers compare by, in order: fewer legs left unpriced, smaller total, fewer
fares. **Tie-break** among covers equal on all three: the one whose last group
starts earliest (covers the most legs), and the same rule again on the legs
before that group. Within one group the caller has already picked the
cheapest fare, equal prices by fare_id.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fares.gtfs.fares_v1.model import Fare

Key = tuple[int, int, int]  # (unpriced legs, total minor units, fares)


@dataclass(frozen=True, slots=True)
class Cover:
    start: int
    end: int  # exclusive
    fare: Fare | None  # None: the single leg ``start`` has no fare


def cheapest_cover(leg_count: int, options: Mapping[tuple[int, int], Fare]) -> tuple[Cover, ...]:
    """``options[(start, end)]`` is the fare chosen for legs ``start..end-1``, when one covers them."""
    best: list[tuple[Key, Cover | None] | None] = [None] * (leg_count + 1)
    best[0] = ((0, 0, 0), None)
    for end in range(1, leg_count + 1):
        chosen: tuple[Key, Cover] | None = None
        for start in range(end):  # earliest start first: it keeps equal keys
            fare = options.get((start, end))
            before = best[start]
            if fare is None or before is None:
                continue
            key = (before[0][0], before[0][1] + fare.price.minor, before[0][2] + 1)
            if chosen is None or key < chosen[0]:
                chosen = (key, Cover(start, end, fare))
        previous = best[end - 1]
        assert previous is not None
        unpriced = (previous[0][0] + 1, previous[0][1], previous[0][2])
        if chosen is None or unpriced < chosen[0]:
            chosen = (unpriced, Cover(end - 1, end, None))
        best[end] = chosen
    covers: list[Cover] = []
    end = leg_count
    while end > 0:
        step = best[end]
        assert step is not None and step[1] is not None
        covers.append(step[1])
        end = step[1].start
    return tuple(reversed(covers))
