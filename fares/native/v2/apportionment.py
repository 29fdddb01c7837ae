"""Apportionment hints for clearing: how an association splits a through fare among its operators.

The fare engine only validates and exposes them (``TariffV2.apportionment_for``);
``clearing`` applies them. The reseller commission and the clearing fee, as
shares of the amount, come off first.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from core.money import Money

STANDALONE_FARES = "standalone_fares"
PASSENGER_KM = "passenger_km"
ZONES_TRAVELLED = "zones_travelled"
FIXED_SHARES = "fixed_shares"
PER_LEG_FIXED_FEES = "per_leg_fixed_fees"
METHODS = (STANDALONE_FARES, PASSENGER_KM, ZONES_TRAVELLED, FIXED_SHARES, PER_LEG_FIXED_FEES)
REMAINDER_METHODS = (STANDALONE_FARES, PASSENGER_KM, ZONES_TRAVELLED)


@dataclass(frozen=True, slots=True)
class Apportionment:
    method: str
    shares: tuple[tuple[str, Fraction], ...] = ()  # fixed_shares: operator id -> share, summing to 1
    fees: tuple[tuple[str, Money], ...] = ()  # per_leg_fixed_fees: operator id -> fee per leg it runs
    remainder: str = STANDALONE_FARES  # per_leg_fixed_fees: how what is left after the fees is split
    reseller_commission: Fraction = Fraction(0)
    clearing_fee: Fraction = Fraction(0)

    def share_of(self, operator_id: str) -> Fraction | None:
        return dict(self.shares).get(operator_id)

    def fee_of(self, operator_id: str) -> Money | None:
        return dict(self.fees).get(operator_id)
