"""The cheapest way to pay a journey of fare legs under fare_transfer_rules.

Each fare leg may match several leg rules (alternatives); the transfer rules
that match must be applied (fare_transfer_rules step 3), and when several
match with the same selected ``transfer_count`` they are alternatives too.
A forward dynamic programme keeps, per state, the cheapest cost so far.

fare_transfer_type, with S the cost of the legs and transfers before:
  0: A + AB, then S + BC       (the to-leg's own product is not bought)
  1: A + AB + B, then S + BC + C
  2: AB, then S + BC           (AB replaces A only when A starts the sub-journey)
A transfer that matches no rule starts a new sub-journey: S + C.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fares.gtfs.fares_v2.join import FareLeg
from fares.gtfs.fares_v2.model import FareLegRule, FareTransferRule, ProductRow
from fares.gtfs.fares_v2.transfers import Groups, TransferLookup, applicable


@dataclass(frozen=True, slots=True)
class Option:
    rule: FareLegRule
    row: ProductRow


@dataclass(frozen=True, slots=True)
class Transfer:
    rule: FareTransferRule
    row: ProductRow | None  # None: the rule names no product, the transfer is free


@dataclass(frozen=True, slots=True)
class Step:
    """How one fare leg is paid: its leg option, the transfer into it, whether its own product is bought."""

    option: Option
    transfer: Transfer | None
    pays_leg: bool


# A state after a fare leg: (option index, groups of the run of transfers, first fare leg of the run, transfers
# in the run). The groups are None when the fare leg starts a new sub-journey.
State = tuple[int, Groups | None, int, int]
Entry = tuple[int, State | None, Transfer | None]  # (cost, previous state, transfer into this fare leg)


def cheapest_plan(legs: Sequence[FareLeg], options: Sequence[Sequence[Option]], transfers: TransferLookup,
                  transfer_row: Callable[[str], ProductRow | None]) -> tuple[int, tuple[Step, ...]]:
    """Total in minor units and the steps; every fare leg must have at least one option."""
    if not transfers:  # no transfer rules: the legs are independent, each pays its cheapest option
        cheapest = [min(found, key=lambda option: option.row.amount) for found in options]
        return sum(option.row.amount for option in cheapest), tuple(Step(option, None, True) for option in cheapest)
    layers: list[dict[State, Entry]] = [
        {(k, None, 0, 0): (option.row.amount, None, None) for k, option in enumerate(options[0])}]
    for i in range(1, len(legs)):
        here: dict[State, Entry] = {}
        for state, (cost, _, _) in layers[-1].items():
            before = options[i - 1][state[0]]
            for k, option in enumerate(options[i]):
                for new_state, added, transfer in _moves(i, state, before, k, option, legs, transfers, transfer_row):
                    total = cost + added
                    known = here.get(new_state)
                    if known is None or total < known[0]:
                        here[new_state] = (total, state, transfer)
        layers.append(here)
    last = min(layers[-1].items(), key=lambda item: item[1][0])
    return last[1][0], _steps(layers, last[0], options)


def _moves(i: int, state: State, before: Option, k: int, option: Option, legs: Sequence[FareLeg],
           transfers: TransferLookup, transfer_row: Callable[[str], ProductRow | None]
           ) -> list[tuple[State, int, Transfer | None]]:
    groups, rules = transfers.rules_between(before.rule.leg_group_id, option.rule.leg_group_id)
    moves: list[tuple[State, int, Transfer | None]] = []
    if rules:
        continues = state[1] == groups
        first = state[2] if continues else i - 1
        count = state[3] + 1 if continues else 1
        for rule in applicable(rules, legs[first], legs[i], count):
            row = transfer_row(rule.fare_product_id) if rule.fare_product_id is not None else None
            if rule.fare_product_id is not None and row is None:
                continue  # no row of the transfer product for this rider: the rule cannot be used
            added = row.amount if row is not None else 0
            if rule.fare_transfer_type == 1:
                added += option.row.amount
            elif rule.fare_transfer_type == 2 and state[1] is None:
                added -= before.row.amount
            moves.append(((k, groups, first, count), added, Transfer(rule, row)))
    if not moves:
        moves.append(((k, None, i, 0), option.row.amount, None))
    return moves


def _steps(layers: list[dict[State, Entry]], state: State, options: Sequence[Sequence[Option]]) -> tuple[Step, ...]:
    chosen: list[tuple[Option, Transfer | None]] = []
    current: State | None = state
    for i in range(len(layers) - 1, -1, -1):
        assert current is not None
        _, previous, transfer = layers[i][current]
        chosen.append((options[i][current[0]], transfer))
        current = previous
    chosen.reverse()
    steps = []
    for i, (option, transfer) in enumerate(chosen):
        following = chosen[i + 1][1] if i + 1 < len(chosen) else None
        replaced = transfer is None and following is not None and following.rule.fare_transfer_type == 2
        pays = (transfer is None or transfer.rule.fare_transfer_type == 1) and not replaced
        steps.append(Step(option, transfer, pays))
    return tuple(steps)
