"""Loading fare_leg_rules.txt, fare_leg_join_rules.txt and fare_transfer_rules.txt, with their references.

References are checked against the ids present in the referenced file, so a
row that failed its own validation is reported once, not again by every rule
that names it.
"""
from __future__ import annotations

from typing import Any

from fares.gtfs.basics import FeedBasics, load_rows
from fares.gtfs.fares_v2.model import FareLegJoinRule, FareLegRule, FareTransferRule
from fares.gtfs.fares_v2.primary_keys import PrimaryKeys, ids_in
from fares.gtfs.fares_v2.schemas import FareLegJoinRuleSchema, FareLegRuleSchema, FareTransferRuleSchema
from fares.gtfs.reader import RawFeed
from fares.validation import Problems


def _unknown(problems: Problems, file: str, line: int, d: dict[str, Any], checks: dict[str, frozenset[str]]) -> bool:
    """Report every field of ``checks`` whose (non-empty) value is not among the known ids."""
    bad = False
    for field_name, known in checks.items():
        value = d[field_name]
        if value is not None and value not in known:
            what = field_name.removeprefix("from_").removeprefix("to_")
            problems.add(file, line, field_name, f"unknown {what} {value!r}")
            bad = True
    return bad


def load_leg_rules(raw: RawFeed, problems: Problems, networks: frozenset[str]) -> tuple[tuple[FareLegRule, ...], bool]:
    """fare_leg_rules.txt; the flag says whether the ``rule_priority`` column exists (it changes what empty means)."""
    file = "fare_leg_rules.txt"
    table = raw.table(file)
    with_priority = table is not None and "rule_priority" in table.columns
    areas = ids_in(raw, "areas.txt", "area_id")
    timeframe_groups = ids_in(raw, "timeframes.txt", "timeframe_group_id")
    checks = {"network_id": networks, "from_area_id": areas, "to_area_id": areas,
              "from_timeframe_group_id": timeframe_groups, "to_timeframe_group_id": timeframe_groups,
              "fare_product_id": ids_in(raw, "fare_products.txt", "fare_product_id")}
    keys = PrimaryKeys(file, "fare_product_id", problems)
    rules: list[FareLegRule] = []

    def build(d: dict[str, Any], line: int) -> None:
        if _unknown(problems, file, line, d, checks):
            return
        rule = FareLegRule(d["leg_group_id"], d["network_id"], d["from_area_id"], d["to_area_id"],
                           d["from_timeframe_group_id"], d["to_timeframe_group_id"], d["fare_product_id"],
                           d["rule_priority"] or 0, line)
        if keys.is_new((rule.network_id, rule.from_area_id, rule.to_area_id, rule.from_timeframe_group_id,
                        rule.to_timeframe_group_id, rule.fare_product_id), line):
            rules.append(rule)

    load_rows(raw, file, FareLegRuleSchema(), problems, build)
    return tuple(rules), with_priority


def load_join_rules(raw: RawFeed, basics: FeedBasics, problems: Problems,
                    networks: frozenset[str]) -> tuple[FareLegJoinRule, ...]:
    file = "fare_leg_join_rules.txt"
    stops = frozenset(basics.stops)
    checks = {"from_network_id": networks, "to_network_id": networks, "from_stop_id": stops, "to_stop_id": stops}
    keys = PrimaryKeys(file, "from_network_id", problems)
    rules: list[FareLegJoinRule] = []

    def build(d: dict[str, Any], line: int) -> None:
        if _unknown(problems, file, line, d, checks):
            return
        for field_name in ("from_stop_id", "to_stop_id"):
            stop = basics.stops.get(d[field_name]) if d[field_name] else None
            if stop is not None and stop.location_type not in (0, 1):
                problems.add(file, line, field_name, f"{stop.id!r} must be a stop or a station (location_type 0 or 1)")
                return
        rule = FareLegJoinRule(d["from_network_id"], d["to_network_id"], d["from_stop_id"], d["to_stop_id"], line)
        if keys.is_new((rule.from_network_id, rule.to_network_id, rule.from_stop_id, rule.to_stop_id), line):
            rules.append(rule)

    load_rows(raw, file, FareLegJoinRuleSchema(), problems, build)
    return tuple(rules)


def load_transfer_rules(raw: RawFeed, problems: Problems) -> tuple[FareTransferRule, ...]:
    file = "fare_transfer_rules.txt"
    groups = ids_in(raw, "fare_leg_rules.txt", "leg_group_id")
    checks = {"from_leg_group_id": groups, "to_leg_group_id": groups,
              "fare_product_id": ids_in(raw, "fare_products.txt", "fare_product_id")}
    keys = PrimaryKeys(file, "from_leg_group_id", problems)
    rules: list[FareTransferRule] = []

    def build(d: dict[str, Any], line: int) -> None:
        if _unknown(problems, file, line, d, checks):
            return
        rule = FareTransferRule(d["from_leg_group_id"], d["to_leg_group_id"], d["transfer_count"],
                                d["duration_limit"], d["duration_limit_type"], d["fare_transfer_type"],
                                d["fare_product_id"], line)
        if keys.is_new((rule.from_leg_group_id, rule.to_leg_group_id, rule.fare_product_id, rule.transfer_count,
                        rule.duration_limit), line):
            rules.append(rule)

    load_rows(raw, file, FareTransferRuleSchema(), problems, build)
    return tuple(rules)
