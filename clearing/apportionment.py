"""Apportionment: how a sale's amount is divided among operators (pure functions).

The sales channel's commission and the clearing fee come off first (a rate of
the amount paid plus a fixed amount, each rounded half up, never more than is
left); the rest goes to the operators by the sale's rule:

* ``standalone_fares`` (default): in proportion to each operator's standalone fares;
* ``passenger_km``: to the metres travelled on its legs (along the stops passed);
* ``zones_travelled``: to the zones its legs touch (count per leg);
* ``fixed_shares``: fixed fractions summing to 1 (basis points summing to 10,000);
* ``per_leg_fixed_fees``: a fixed fee per leg an operator runs, the rest by ``remainder``.

A rule first gives an exact ``Entitlement`` (integer numerators over one
denominator, so no ``Fraction`` on the hot path), then rounds it with the
largest remainder and the tie-break of ``core.money.split_minor`` (larger
remainder, then larger weight, then earlier operator id). Operators are ordered
by id, so the same sale always splits the same way. ``clearing.carry`` rounds
the same entitlement with the sub-cent remainders carried between sales.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import lcm
from typing import Any

from fares.native.v2.apportionment import (
    FIXED_SHARES,
    METHODS,
    PASSENGER_KM,
    PER_LEG_FIXED_FEES,
    REMAINDER_METHODS,
    STANDALONE_FARES,
    ZONES_TRAVELLED,
)

__all__ = [
    "FIXED_SHARES", "PASSENGER_KM", "PER_LEG_FIXED_FEES", "STANDALONE_FARES", "ZONES_TRAVELLED",
    "BASIS_POINTS", "DEFAULT_CHANNEL", "Deduction", "Entitlement", "Rule", "SaleLeg", "Share", "Split",
    "apportion", "apportion_by_standalone_fares", "deductions", "entitle", "fixed_shares_bp",
    "largest_remainder", "rule_from_payload",
]

BASIS_POINTS = 10_000
DEFAULT_CHANNEL = "web"


@dataclass(frozen=True, slots=True)
class SaleLeg:
    operator_id: str
    standalone_minor: int
    distance_m: int | None = 0  # None: unknown (then passenger_km falls back to standalone fares)
    zones: int = 0


@dataclass(frozen=True, slots=True)
class Share:
    operator_id: str
    amount_minor: int
    weight_minor: int


@dataclass(frozen=True, slots=True)
class Deduction:
    """A commission or fee: ``rate`` of the amount paid (half up) plus ``fixed_minor``."""

    rate: Fraction = Fraction(0)
    fixed_minor: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.rate <= 1:
            raise ValueError(f"a deduction rate must be between 0 and 1, not {self.rate}")
        if self.fixed_minor < 0:
            raise ValueError(f"a fixed deduction must not be negative, not {self.fixed_minor}")

    def of(self, amount_minor: int) -> int:
        if not self.rate and not self.fixed_minor:
            return 0
        num, den = self.rate.numerator, self.rate.denominator
        return (2 * num * amount_minor + den) // (2 * den) + self.fixed_minor  # half up; both are >= 0


NO_DEDUCTION = Deduction()


@dataclass(frozen=True, slots=True)
class Rule:
    method: str = STANDALONE_FARES
    shares: tuple[tuple[str, Fraction], ...] = ()  # fixed_shares, operator id order
    fees: tuple[tuple[str, int], ...] = ()  # per_leg_fixed_fees: minor units per leg the operator runs
    remainder: str = STANDALONE_FARES  # per_leg_fixed_fees: how the rest after the fees is split
    commission: Deduction = NO_DEDUCTION
    channel: str = DEFAULT_CHANNEL
    clearing_fee: Deduction = NO_DEDUCTION

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown apportionment method {self.method!r} (known: {', '.join(METHODS)})")
        if self.remainder not in REMAINDER_METHODS:
            raise ValueError(f"the remainder cannot be split by {self.remainder!r}")
        if self.method == FIXED_SHARES:
            if not self.shares or any(share <= 0 for _, share in self.shares):
                raise ValueError("fixed_shares needs positive shares")
            if sum(share for _, share in self.shares) != 1:
                raise ValueError("fixed shares must add up to exactly 1 (10,000 basis points)")
        if any(fee < 0 for _, fee in self.fees):
            raise ValueError("a per-leg fee must not be negative")


def fixed_shares_bp(shares_bp: Mapping[str, int]) -> tuple[tuple[str, Fraction], ...]:
    """Basis points (summing to 10,000) as the fractions a ``Rule`` takes."""
    if sum(shares_bp.values()) != BASIS_POINTS:
        raise ValueError(f"fixed shares must add up to {BASIS_POINTS} basis points, not {sum(shares_bp.values())}")
    return tuple(sorted((op, Fraction(bp, BASIS_POINTS)) for op, bp in shares_bp.items()))


@dataclass(frozen=True, slots=True)
class Entitlement:
    """What the operators are owed exactly: ``numerators[i] / denominator`` minor units each.

    The numerators always sum to ``amount_minor * denominator``; ``weights`` are
    the tie-break (and what ``ClearingShare.weight_minor`` records).
    """

    amount_minor: int
    operator_ids: tuple[str, ...]
    numerators: tuple[int, ...]
    denominator: int
    weights: tuple[int, ...]

    def exact(self) -> dict[str, Fraction]:
        return {op: Fraction(n, self.denominator) for op, n in zip(self.operator_ids, self.numerators, strict=True)}


@dataclass(frozen=True, slots=True)
class Split:
    shares: tuple[Share, ...]
    commission_minor: int
    clearing_fee_minor: int
    channel: str

    @property
    def total_minor(self) -> int:
        return self.commission_minor + self.clearing_fee_minor + sum(s.amount_minor for s in self.shares)


def deductions(amount_minor: int, rule: Rule) -> tuple[int, int]:
    """(commission, clearing fee), taken in that order, together never more than the amount."""
    commission = min(rule.commission.of(amount_minor), amount_minor)
    fee = min(rule.clearing_fee.of(amount_minor), amount_minor - commission)
    return commission, fee


def _weights(legs: Sequence[SaleLeg], method: str) -> dict[str, int]:
    """Integer weights per operator.

    Standalone fares decide when a leg's distance is unknown (passenger_km) or
    when the method's weights are all zero.
    """
    if method == PASSENGER_KM and any(leg.distance_m is None for leg in legs):
        return _weights(legs, STANDALONE_FARES)
    weights: dict[str, int] = {}
    for leg in legs:
        value = (leg.distance_m or 0) if method == PASSENGER_KM else leg.zones if method == ZONES_TRAVELLED \
            else leg.standalone_minor
        if value < 0 or leg.standalone_minor < 0:
            raise ValueError(f"negative apportionment weight on a leg of {leg.operator_id}")
        weights[leg.operator_id] = weights.get(leg.operator_id, 0) + value
    if method != STANDALONE_FARES and not any(weights.values()):
        return _weights(legs, STANDALONE_FARES)
    return weights


def _proportional(amount: int, weights: Mapping[str, int]) -> Entitlement:
    ops = tuple(sorted(weights))
    ws = tuple(weights[op] for op in ops)
    total = sum(ws)
    if total == 0:  # all-zero weights split evenly, as core.money.split_minor does
        ws, total = (1,) * len(ops), len(ops)
    return Entitlement(amount, ops, tuple(amount * w for w in ws), total, ws)


@lru_cache(maxsize=256)
def _share_parts(shares: tuple[tuple[str, Fraction], ...]) -> tuple[tuple[str, ...], tuple[int, ...], int]:
    """Fixed shares over their common denominator (built once per rule)."""
    ordered = sorted(shares)
    denominator = lcm(*(share.denominator for _, share in ordered))
    return tuple(op for op, _ in ordered), tuple(int(share * denominator) for _, share in ordered), denominator


def _fixed_shares(amount: int, shares: tuple[tuple[str, Fraction], ...]) -> Entitlement:
    ops, parts, denominator = _share_parts(shares)
    return Entitlement(amount, ops, tuple(amount * p for p in parts), denominator, parts)


def _per_leg_fees(amount: int, legs: Sequence[SaleLeg], rule: Rule) -> Entitlement:
    fee_per_leg = dict(rule.fees)
    fees: dict[str, int] = {}
    for leg in legs:
        fees[leg.operator_id] = fees.get(leg.operator_id, 0) + fee_per_leg.get(leg.operator_id, 0)
    total_fees = sum(fees.values())
    if total_fees >= amount and total_fees:  # the fees take it all: split what there is in their proportion
        return _proportional(amount, fees)
    rest = _proportional(amount - total_fees, _weights(legs, rule.remainder))
    numerators = tuple(fees[op] * rest.denominator + n for op, n in zip(rest.operator_ids, rest.numerators,
                                                                         strict=True))
    return Entitlement(amount, rest.operator_ids, numerators, rest.denominator, rest.weights)


def entitle(amount_minor: int, legs: Sequence[SaleLeg], rule: Rule) -> Entitlement:
    """The operators' exact entitlement to ``amount_minor`` (what is left after the deductions)."""
    if amount_minor < 0:
        raise ValueError("apportion a positive amount (refunds reverse the original split)")
    if rule.method == FIXED_SHARES:
        return _fixed_shares(amount_minor, rule.shares)
    if not legs:
        raise ValueError("a sale without legs cannot be apportioned")
    if rule.method == PER_LEG_FIXED_FEES:
        return _per_leg_fees(amount_minor, legs, rule)
    return _proportional(amount_minor, _weights(legs, rule.method))


def largest_remainder(entitlement: Entitlement) -> tuple[int, ...]:
    """Whole minor units: floors, then one more each for the largest remainders (tie-break as split_minor)."""
    den = entitlement.denominator
    parts = [n // den for n in entitlement.numerators]
    left = entitlement.amount_minor - sum(parts)
    if left:
        nums, ws = entitlement.numerators, entitlement.weights
        order = sorted(range(len(parts)), key=lambda i: (-(nums[i] % den), -ws[i], i))
        for i in order[:left]:
            parts[i] += 1
    return tuple(parts)


def apportion(amount_minor: int, legs: Sequence[SaleLeg], rule: Rule) -> Split:
    """The whole split of one sale: deductions first, then the operators' shares in operator id order."""
    commission, fee = deductions(amount_minor, rule)
    entitlement = entitle(amount_minor - commission - fee, legs, rule)
    parts = largest_remainder(entitlement)
    shares = tuple(Share(op, part, w) for op, part, w in zip(entitlement.operator_ids, parts, entitlement.weights,
                                                             strict=True))
    return Split(shares, commission, fee, rule.channel)


def apportion_by_standalone_fares(amount_minor: int, legs: Sequence[SaleLeg]) -> tuple[Share, ...]:
    return apportion(amount_minor, legs, DEFAULT_RULE).shares


DEFAULT_RULE = Rule()


def _fraction(text: Any) -> Fraction:
    return Fraction(str(text))


def _deduction(raw: Mapping[str, Any] | None) -> Deduction:
    if not raw:
        return NO_DEDUCTION
    return Deduction(_fraction(raw.get("rate") or 0), int(raw.get("fixed_minor") or 0))


def rule_from_payload(raw: Mapping[str, Any] | None) -> Rule:
    """The ``apportionment`` field of a SalePaid payload (docs/events.md); None: the default rule."""
    if not raw:
        return DEFAULT_RULE
    commission = raw.get("commission") or {}
    return Rule(
        method=raw.get("method") or STANDALONE_FARES,
        shares=tuple(sorted((op, _fraction(v)) for op, v in (raw.get("shares") or {}).items())),
        fees=tuple(sorted((op, int(v)) for op, v in (raw.get("fees_minor") or {}).items())),
        remainder=raw.get("remainder") or STANDALONE_FARES,
        commission=_deduction(commission),
        channel=str(commission.get("channel") or DEFAULT_CHANNEL),
        clearing_fee=_deduction(raw.get("clearing_fee")),
    )
