from __future__ import annotations

from typing import Any

from core.money import Money


def money_json(minor: int, currency: str, prefix: str = "") -> dict[str, Any]:
    """``{"amount": "8.37", "amount_minor": 837}``: a decimal string next to its minor units."""
    name = prefix or "amount"
    return {name: Money(minor, currency).format(), f"{name}_minor": minor}
