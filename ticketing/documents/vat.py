"""VAT contained in gross prices, per rate, so that every sum on a receipt reconciles to the cent.

Fares are gross prices: the VAT is *in* them. A receipt (§14 (4) Nr. 8 UStG,
§33 UStDV for small amounts) states, per rate, the net amount and the tax.

**Rounding.** The tax is computed once per rate, on the rate's gross total:
``vat = gross * rate / (10000 + rate)`` (rate in basis points), rounded half
away from zero to whole minor units; ``net = gross - vat``. So for each rate
``net + vat == gross`` exactly, and the totals (sums over the rates) too.

The rate's tax is then spread over its lines by the largest-remainder method
on each line's exact tax: every line gets the floor of its exact share, and
the minor units left over go one each to the lines with the largest
remainders. **Tie-break:** the larger gross (in absolute value) wins, then the
earlier line. Each line's tax is within one minor unit of its exact value,
the lines of a rate add up to the rate's tax, and ``net + vat == gross``
holds per line. Negative amounts (credit notes) mirror positive ones.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import floor

from core.money import CurrencyMismatch, Money

BASIS_POINTS = 10_000


@dataclass(frozen=True, slots=True)
class VatLine:
    operator_id: str
    rate_bp: int
    gross: Money
    net: Money
    vat: Money


@dataclass(frozen=True, slots=True)
class VatRateTotal:
    rate_bp: int
    gross: Money
    net: Money
    vat: Money


@dataclass(frozen=True, slots=True)
class VatBreakdown:
    """``lines`` in input order; ``rates`` by ascending rate."""

    lines: tuple[VatLine, ...]
    rates: tuple[VatRateTotal, ...]
    gross: Money
    net: Money
    vat: Money


def rate_percent(rate_bp: int) -> str:
    """``700`` -> ``"7"``, ``1950`` -> ``"19.5"``: the rate as printed on a receipt."""
    return f"{Decimal(rate_bp).scaleb(-2).normalize():f}"


def _exact_vat(gross_minor: int, rate_bp: int) -> Fraction:
    return Fraction(gross_minor * rate_bp, BASIS_POINTS + rate_bp)


def _round_half_away(value: Fraction) -> int:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return int(exact.to_integral_value(rounding=ROUND_HALF_UP))  # ROUND_HALF_UP is away from zero


def _spread(total: int, exact: Sequence[Fraction], gross: Sequence[int]) -> list[int]:
    """Integers within one unit of ``exact`` that add up to ``total`` (largest remainder)."""
    if total < 0:  # mirror, so that a credit note splits exactly like the sale it reverses
        return [-part for part in _spread(-total, [-e for e in exact], [-g for g in gross])]
    parts = [floor(e) for e in exact]
    left = total - sum(parts)  # 0 <= left <= len(parts): total is the rounded sum of exact
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), -abs(gross[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def vat_breakdown(lines: Sequence[tuple[str, Money, int]]) -> VatBreakdown:
    """Net and VAT of gross ``(operator_id, gross, rate_bp)`` lines, per line, per rate and in total."""
    if not lines:
        raise ValueError("a VAT breakdown needs at least one line")
    currency = lines[0][1].currency
    for operator_id, gross, rate_bp in lines:
        if gross.currency != currency:
            raise CurrencyMismatch(f"{operator_id}: {gross.currency}, expected {currency}")
        if not isinstance(rate_bp, int) or isinstance(rate_bp, bool) or rate_bp < 0:
            raise ValueError(f"{operator_id}: the VAT rate must be a non-negative integer in basis points")

    line_vat: dict[int, int] = {}
    rates: list[VatRateTotal] = []
    for rate_bp in sorted({rate for _, _, rate in lines}):
        members = [i for i, line in enumerate(lines) if line[2] == rate_bp]
        amounts = [lines[i][1].minor for i in members]
        exact = [_exact_vat(g, rate_bp) for g in amounts]
        vat = _round_half_away(sum(exact, Fraction(0)))
        line_vat.update(zip(members, _spread(vat, exact, amounts), strict=True))
        total = sum(amounts)
        rates.append(VatRateTotal(rate_bp, Money(total, currency), Money(total - vat, currency),
                                  Money(vat, currency)))

    out = tuple(
        VatLine(operator_id, rate_bp, gross, Money(gross.minor - line_vat[i], currency), Money(line_vat[i], currency))
        for i, (operator_id, gross, rate_bp) in enumerate(lines)
    )
    return VatBreakdown(
        lines=out,
        rates=tuple(rates),
        gross=Money(sum(r.gross.minor for r in rates), currency),
        net=Money(sum(r.net.minor for r in rates), currency),
        vat=Money(sum(r.vat.minor for r in rates), currency),
    )
