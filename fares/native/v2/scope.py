"""Which rides a product, cap or pass is for: operators, routes, modes (each optional, all must hold)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scope:
    """An absent list places no limit; an empty scope covers every ride of the network."""

    operators: frozenset[str] | None = None
    routes: frozenset[str] | None = None
    modes: frozenset[str] | None = None

    def matches(self, operator_id: str | None, route_id: str, mode: str) -> bool:
        return (
            (self.operators is None or operator_id in self.operators)
            and (self.routes is None or route_id in self.routes)
            and (self.modes is None or mode in self.modes)
        )
