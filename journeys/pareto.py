"""Labels of the multi-criteria search and the bags that keep only the labels no other beats.

A label is a partial journey ending at a stop: when the passenger arrives,
when they may board again (after the change time), how many vehicles they
rode, and the fare state of those rides. Its rides are not copied: a label
points to its parent and to the one step (ride or walk) that led to it.

Label A dominates B iff A arrives and may board no later, rode no more
vehicles, may walk on whenever B may (only a vehicle's arrival may be followed
by a walk), and the fare search says A's state is at least as good for every
continuation (``fares.fare_search.FareSearch.dominates``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from journeys.journey import Step


@dataclass(slots=True, eq=False)
class Label:
    arrival: int
    ready: int  # may board from then on (arrival plus change time; a walk or the start: arrival)
    rides: int
    by_vehicle: bool
    state: Any
    parent: Label | None
    step: Step | None

    def steps(self) -> list[Step]:
        out: list[Step] = []
        label: Label | None = self
        while label is not None and label.step is not None:
            out.append(label.step)
            label = label.parent
        out.reverse()
        return out


def dominates(a: Label, b: Label, states: Callable[[Any, Any], bool]) -> bool:
    return (a.arrival <= b.arrival and a.ready <= b.ready and a.rides <= b.rides
            and (a.by_vehicle or not b.by_vehicle) and states(a.state, b.state))


def insert(bag: list[Label], label: Label, states: Callable[[Any, Any], bool]) -> bool:
    """Adds ``label`` unless a label of ``bag`` dominates it; drops the labels it dominates. True if added."""
    for other in bag:
        if dominates(other, label, states):
            return False
    bag[:] = [other for other in bag if not dominates(label, other, states)]
    bag.append(label)
    return True


def pareto_front(items: list[tuple[int, int, int | None]]) -> set[tuple[int, int, int | None]]:
    """The (arrival, transfers, price) triples no other beats; an unpriced option (None) beats nothing priced."""
    def better(a: tuple[int, int, int | None], b: tuple[int, int, int | None]) -> bool:
        price_ok = b[2] is None or (a[2] is not None and a[2] <= b[2])
        return a != b and a[0] <= b[0] and a[1] <= b[1] and price_ok

    return {item for item in items if not any(better(other, item) for other in items)}
