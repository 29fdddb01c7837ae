"""Sentences that say which rules priced a journey and why, for riders and auditors.

Texts about one rule or one product row never change, so they are made once.
"""
from __future__ import annotations

from collections.abc import Sequence

from core.money import Money
from fares.gtfs.fares_v2.join import FareLeg
from fares.gtfs.fares_v2.journey import Step
from fares.gtfs.fares_v2.model import FareLegRule, FareTransferRule, ProductRow

TRANSFER_TYPES = {0: "A + AB", 1: "A + AB + B", 2: "AB"}


def legs_text(leg: FareLeg) -> str:
    if len(leg.indexes) == 1:
        return f"leg {leg.indexes[0]} ({leg.from_stop_id} to {leg.to_stop_id})"
    return f"legs {leg.indexes[0]}-{leg.indexes[-1]} ({leg.from_stop_id} to {leg.to_stop_id})"


def rule_text(rule: FareLegRule, empty: str = "any") -> str:
    """``empty`` says what an empty field stands for: "any" with rule_priority, else "any other"."""
    parts = [f"leg group {rule.leg_group_id}"] if rule.leg_group_id else []
    parts.append(f"network {rule.network_id or empty}")
    parts.append(f"from area {rule.from_area_id or empty} to area {rule.to_area_id or empty}")
    if rule.from_timeframe_group_id:
        parts.append(f"departing in timeframe {rule.from_timeframe_group_id}")
    if rule.to_timeframe_group_id:
        parts.append(f"arriving in timeframe {rule.to_timeframe_group_id}")
    if rule.rule_priority:
        parts.append(f"priority {rule.rule_priority}")
    return f"{rule.id} ({', '.join(parts)})"


def transfer_text(rule: FareTransferRule) -> str:
    return f"{rule.id} (fare_transfer_type {rule.fare_transfer_type}: {TRANSFER_TYPES[rule.fare_transfer_type]})"


def unmatched(leg: FareLeg, rules: Sequence[FareLegRule], rider_category: str | None) -> str:
    if not rules:
        return f"{legs_text(leg)}: no rule of fare_leg_rules.txt matches, so the journey has no fare"
    named = ", ".join(f"{rule.id} ({rule.fare_product_id})" for rule in rules)
    return (f"{legs_text(leg)}: {named} match, but no row of the product is for rider category "
            f"{rider_category or '(none)'} and the chosen fare media, so the journey has no fare")


class Explainer:
    def __init__(self, currency: str, has_transfer_rules: bool, rule_priority: bool) -> None:
        self.currency = currency
        self.has_transfer_rules = has_transfer_rules
        self.empty = "any" if rule_priority else "any other"
        self._texts: dict[object, str] = {}

    def _text(self, item: FareLegRule | FareTransferRule | ProductRow) -> str:
        key = (type(item), item.line)
        text = self._texts.get(key)
        if text is None:
            if isinstance(item, FareLegRule):
                text = rule_text(item, self.empty)
            elif isinstance(item, FareTransferRule):
                text = transfer_text(item)
            else:
                name = f" {item.name!r}" if item.name else ""
                text = f"{item.product_id}{name} {Money(item.amount, self.currency)}"
            self._texts[key] = text
        return text

    def steps(self, legs: Sequence[FareLeg], plan: Sequence[Step]) -> list[str]:
        lines: list[str] = []
        text = self._text
        for i, (leg, step) in enumerate(zip(legs, plan, strict=True)):
            legs_here = legs_text(leg)
            if leg.join_rules:
                lines.append(f"{legs_here} count as one fare leg by {', '.join(leg.join_rules)}")
            paid = "" if step.pays_leg else " (not bought: covered by the transfer)"
            lines.append(f"{legs_here}: {text(step.option.rule)} -> {text(step.option.row)}{paid}")
            if step.transfer is not None:
                cost = (f"transfer product {text(step.transfer.row)}" if step.transfer.row
                        else "no transfer product: the transfer itself is free")
                lines.append(f"transfer from {legs_text(legs[i - 1])} to {legs_here}: "
                             f"{text(step.transfer.rule)}, {cost}")
            elif i > 0 and self.has_transfer_rules:
                lines.append(f"transfer from {legs_text(legs[i - 1])} to {legs_here}: no transfer rule applies, "
                             "the legs are paid separately")
        return lines
