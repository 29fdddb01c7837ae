"""Apportionment: how a sale's amount is divided among operators (pure functions).

Default rule: in proportion to each operator's standalone fare for its part of
the journey. Operators are ordered by id before splitting, so the documented
tie-break of ``core.money.split_minor`` (larger weight, then earlier id) is
deterministic.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from core.money import split_minor


@dataclass(frozen=True, slots=True)
class SaleLeg:
    operator_id: str
    standalone_minor: int


@dataclass(frozen=True, slots=True)
class Share:
    operator_id: str
    amount_minor: int
    weight_minor: int


def apportion_by_standalone_fares(amount_minor: int, legs: Sequence[SaleLeg]) -> tuple[Share, ...]:
    if not legs:
        raise ValueError("a sale without legs cannot be apportioned")
    weights: dict[str, int] = defaultdict(int)
    for leg in legs:
        if leg.standalone_minor < 0:
            raise ValueError(f"negative standalone fare for {leg.operator_id}")
        weights[leg.operator_id] += leg.standalone_minor
    operator_ids = sorted(weights)
    parts = split_minor(amount_minor, [weights[op] for op in operator_ids])
    return tuple(Share(op, part, weights[op]) for op, part in zip(operator_ids, parts, strict=True))
