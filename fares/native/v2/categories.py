"""Rider categories and their discounts on each product's amount.

A discount applies to the amount of every product (ticket or through fare) of
a price, after time bands and transfer discounts: ``factor`` multiplies and
rounds half up to the minor unit; ``amount_off`` subtracts and stops at zero;
``fixed_amount`` charges that amount, or the adult amount when it is lower.
A discount never raises an amount. ``products`` limits it to those product and
through-fare ids; the others pay the adult amount.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from core.money import Money
from fares.native.v2.timebands import scale_half_up

NONE, FACTOR, AMOUNT_OFF, FIXED_AMOUNT = "none", "factor", "amount_off", "fixed_amount"


@dataclass(frozen=True, slots=True)
class RiderCategory:
    id: str
    name: str
    is_default: bool = False
    kind: str = NONE
    factor: Fraction = Fraction(1)
    amount_minor: int = 0  # amount_off or fixed_amount
    products: frozenset[str] | None = None
    value_text: str = ""  # as written in the package, for explanations

    def applies_to(self, product_id: str) -> bool:
        return self.kind != NONE and (self.products is None or product_id in self.products)

    def apply(self, adult: int, product_id: str) -> int:
        if not self.applies_to(product_id):
            return adult
        if self.kind == FACTOR:
            return min(adult, scale_half_up(adult, self.factor))
        if self.kind == AMOUNT_OFF:
            return max(0, adult - self.amount_minor)
        return min(adult, self.amount_minor)

    def describe(self, currency: str) -> str:
        if self.kind == NONE:
            return f"rider category {self.id}: pays the adult fare"
        if self.kind == FACTOR:
            rule = f"factor {self.value_text} of the adult fare, rounded half up to the minor unit"
        elif self.kind == AMOUNT_OFF:
            rule = f"{Money(self.amount_minor, currency)} off each product, never below zero"
        else:
            rule = f"{Money(self.amount_minor, currency)} for each product, or the adult fare when lower"
        where = f" (products {', '.join(sorted(self.products))})" if self.products is not None else ""
        return f"rider category {self.id}: {rule}{where}"
