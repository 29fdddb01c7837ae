"""Sub-cent remainders carried per operator, period and currency.

Rounding each sale alone (largest remainder) gives the leftover cent of the
same small fare to the same operator every time: over many cheap fares one
operator would be systematically favoured. So each operator keeps a carry: what
it is owed (positive) or was overpaid (negative) below one minor unit in the
period. A sale is rounded on ``entitlement + carry``, and the new carry is what
that rounding left over; the carries of a period always sum to zero.

Guarantee: while the sales of a period are shared by the same operators (a
line pair, fixed shares, a tariff zone's operators), every operator's
cumulative shares stay strictly within one minor unit of its exact cumulative
entitlement. When the operator sets of the sales differ, one cent can be
unavoidably exceeded (A and B are each owed 0.9 cent from earlier sales, C and
D were overpaid; a sale of 1 cent between A and B owes each 1.4 cents); the
rounding then still goes to whoever is owed most, and 600,000 random mixed
sales stayed within 1.05 cents (tests check < 2).

Lanes: carries are kept per clearing lane, and the lane of a transaction is
the ledger chain it seals into (clearing/ledger_chain.py), whose head it holds
until it commits. So a lane's carry rows are only ever written by the one
transaction holding that head: workers in different lanes never wait on each
other's carry rows, and the guarantee above holds per lane. Over all lanes an
operator's cumulative shares stay within as many minor units of its exact
entitlement as lanes were used in the period (a lone writer uses lane 1 only;
W concurrent writers mostly lanes 1..W). Each lane's carries sum to zero.

Carries are integers in ``CARRY_SCALE`` (10^-12) parts of a minor unit: each
sale's exact entitlement is first split into those parts (largest remainder),
so the carry drifts from exact fractions by less than 10^-12 minor units per
sale (a thousandth of a cent after 10^9 sales), and fits a BIGINT.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

import operators.models  # noqa: F401  (ForeignKey target)
from clearing.apportionment import Entitlement
from clearing.ledger_chain import lock_head
from core.db import Base
from core.money import split_minor

CARRY_SCALE = 10**12


class ClearingCarry(Base):
    """One operator's carried sub-cent remainder in a period and lane (``carry_units`` / 10^12 minor units)."""

    __tablename__ = "clearing_carries"
    __table_args__ = (UniqueConstraint("operator_id", "period", "currency", "lane"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    operator_id: Mapped[str] = mapped_column(ForeignKey("operators.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    currency: Mapped[str] = mapped_column(String(3))
    lane: Mapped[int] = mapped_column(Integer)
    carry_units: Mapped[int] = mapped_column(BigInteger, default=0)


@dataclass(frozen=True, slots=True)
class Carried:
    parts: tuple[int, ...]  # whole minor units, in the entitlement's operator order
    carries: dict[str, int]  # the new carries (CARRY_SCALE units) of the operators that took part


def round_with_carry(entitlement: Entitlement, carries: Mapping[str, int]) -> Carried:
    """Round an entitlement to whole minor units, taking the operators' carries into account.

    Operators with a zero entitlement in this sale get nothing and keep their
    carry. No part is negative; the parts sum to the amount. Ties are broken as
    in ``core.money.split_minor``: larger remainder, larger weight, earlier operator.
    """
    ops, weights = entitlement.operator_ids, entitlement.weights
    scaled = split_minor(entitlement.amount_minor * CARRY_SCALE, list(entitlement.numerators))
    taking = [i for i, units in enumerate(scaled) if units]
    wanted = {i: scaled[i] + carries.get(ops[i], 0) for i in taking}
    parts = [0] * len(ops)
    for i in taking:
        parts[i] = max(0, wanted[i] // CARRY_SCALE)
    left = entitlement.amount_minor - sum(parts)
    while left > 0:  # the largest remainders (owed most) get one more, in rounds
        order = sorted(taking, key=lambda i: (-(wanted[i] - parts[i] * CARRY_SCALE), -weights[i], i))
        for i in order[:left]:
            parts[i] += 1
        left = entitlement.amount_minor - sum(parts)
    while left < 0:  # the carries gave out more than the sale: take it back from the most overpaid
        order = sorted((i for i in taking if parts[i]), key=lambda i: (wanted[i] - parts[i] * CARRY_SCALE,
                                                                       weights[i], -i))
        for i in order[:-left]:
            parts[i] -= 1
        left = entitlement.amount_minor - sum(parts)
    new = {ops[i]: wanted[i] - parts[i] * CARRY_SCALE for i in taking}
    return Carried(tuple(parts), new)


def _ensure_rows(session: Session, operator_ids: list[str], period: str, currency: str, lane: int) -> None:
    existing = set(session.scalars(select(ClearingCarry.operator_id).where(
        ClearingCarry.operator_id.in_(operator_ids), ClearingCarry.period == period,
        ClearingCarry.currency == currency, ClearingCarry.lane == lane)))
    missing = [op for op in operator_ids if op not in existing]
    if not missing:
        return
    try:
        with session.begin_nested():  # only the lane's holder writes here; the savepoint is for safety
            session.add_all(ClearingCarry(operator_id=op, period=period, currency=currency, lane=lane, carry_units=0)
                            for op in missing)
    except IntegrityError:
        pass


def lock_carries(session: Session, operator_ids: list[str], period: str, currency: str) -> dict[str, ClearingCarry]:
    """The carry rows of these operators in this transaction's lane (the ledger chain whose head it holds).

    Holding the head is what keeps other writers off these rows; ``FOR UPDATE``
    in operator id order is a second fence that never waits. SQLite: one
    writer at a time (the database's write lock, taken with the head).
    """
    ops = sorted(set(operator_ids))
    lane = lock_head(session).id
    mine = ClearingCarry.operator_id.in_(ops) & (ClearingCarry.period == period) & \
        (ClearingCarry.currency == currency) & (ClearingCarry.lane == lane)
    _ensure_rows(session, ops, period, currency, lane)
    rows = session.scalars(select(ClearingCarry).where(mine).order_by(ClearingCarry.operator_id)
                           .with_for_update().execution_options(populate_existing=True))
    return {row.operator_id: row for row in rows}


def round_and_carry(session: Session, entitlement: Entitlement, period: str, currency: str) -> tuple[int, ...]:
    """Round one sale's entitlement with the operators' carries and store the new carries (same transaction)."""
    taking = [op for op, n in zip(entitlement.operator_ids, entitlement.numerators, strict=True) if n]
    if not taking:
        return (0,) * len(entitlement.operator_ids)
    rows = lock_carries(session, taking, period, currency)
    carried = round_with_carry(entitlement, {op: row.carry_units for op, row in rows.items()})
    for op, units in carried.carries.items():
        rows[op].carry_units = units
    return carried.parts


def carries_of(session: Session, period: str, currency: str) -> dict[str, int]:
    """Each operator's carry in the period, over all lanes."""
    rows = session.execute(select(ClearingCarry.operator_id, func.sum(ClearingCarry.carry_units))
                           .where(ClearingCarry.period == period, ClearingCarry.currency == currency)
                           .group_by(ClearingCarry.operator_id))
    return {op: int(units) for op, units in rows}
