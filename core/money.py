"""Money as integer minor units, and exact splitting.

Amounts are never floats. Ratios in between are ``Fraction`` so that a split is
exact before it is rounded, and the rounding is the largest-remainder method:
every share gets the floor of its exact value, then the cents left over go one
each to the shares with the largest remainders. **Tie-break:** among equal
remainders, the larger weight wins; among equal weights, the earlier position
in the input wins. Callers pass parties in a stable order (operator id order),
so the same sale always splits the same way.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

# ISO 4217 minor-unit exponents for the currencies we expect; default 2.
_EXPONENTS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "BHD": 3, "KWD": 3, "TND": 3}


class CurrencyMismatch(ValueError):
    pass


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


def is_currency_code(code: str) -> bool:
    return len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()


@dataclass(frozen=True, slots=True, order=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError(f"minor units must be int, not {type(self.minor).__name__}")
        if not is_currency_code(self.currency):
            raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str | int | Decimal, currency: str) -> Money:
        """``"8.37"`` -> ``Money(837, ...)``; refuses more decimals than the currency has."""
        try:
            value = Decimal(str(text).strip())
        except InvalidOperation:
            raise ValueError(f"not a decimal amount: {text!r}") from None
        if not value.is_finite():
            raise ValueError(f"not a finite amount: {text!r}")
        scaled = value.scaleb(exponent(currency))
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{text!r} has more than {exponent(currency)} decimals for {currency}")
        return cls(int(scaled), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def format(self) -> str:
        """Decimal string in major units, as in the JSON API (``"8.37"``)."""
        exp = exponent(self.currency)
        return f"{self.to_decimal():.{exp}f}"

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __mul__(self, factor: object) -> Money:
        raise TypeError("multiply minor units explicitly with a rounding rule (see scale)")

    def scale(self, factor: Fraction | Decimal | int) -> Money:
        """Multiply by a ratio, rounding half up to whole minor units."""
        exact = Fraction(factor) * self.minor
        rounded = Decimal(exact.numerator) / Decimal(exact.denominator)
        return Money(int(rounded.to_integral_value(rounding=ROUND_HALF_UP)), self.currency)

    def allocate(self, weights: Sequence[int | Fraction]) -> list[Money]:
        return [Money(part, self.currency) for part in split_minor(self.minor, weights)]

    def __str__(self) -> str:
        return f"{self.format()} {self.currency}"


def _split_integers(amount: int, weights: Sequence[int]) -> list[int]:
    """The same split in integer arithmetic (the hot path: weights are minor units)."""
    if len(weights) == 1:
        return [amount]
    total = sum(weights)
    if total == 0:
        weights, total = [1] * len(weights), len(weights)
    products = [amount * w for w in weights]
    parts = [p // total for p in products]
    left = amount - sum(parts)
    if left:
        order = sorted(range(len(weights)), key=lambda i: (-(products[i] % total), -weights[i], i))
        for i in order[:left]:
            parts[i] += 1
    return parts


def split_minor(amount: int, weights: Sequence[int | Fraction]) -> list[int]:
    """Split ``amount`` minor units in proportion to ``weights`` (largest remainder).

    The parts always sum to ``amount``. All-zero weights split evenly. Negative
    amounts split like their absolute value, then change sign, so a reversal
    mirrors the original split exactly.
    """
    if not weights:
        raise ValueError("cannot split among no parties")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    if amount < 0:
        return [-part for part in split_minor(-amount, weights)]
    if all(isinstance(w, int) for w in weights):
        return _split_integers(amount, weights)  # type: ignore[arg-type]
    fractions = [Fraction(w) for w in weights]
    total = sum(fractions)
    if total == 0:
        fractions = [Fraction(1)] * len(weights)
        total = Fraction(len(weights))
    exact = [amount * w / total for w in fractions]
    parts = [int(e) for e in exact]  # floor, since everything is >= 0
    left = amount - sum(parts)
    order = sorted(
        range(len(exact)),
        key=lambda i: (-(exact[i] - parts[i]), -fractions[i], i),
    )
    for i in order[:left]:
        parts[i] += 1
    return parts
