"""Loading and validating fare_attributes.txt and fare_rules.txt into ``FaresV1``.

Every problem names file, line, field and reason; a row with a problem is
reported and left out, so one upload lists every problem at once.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from core.money import Money
from fares.gtfs.basics import FeedBasics, load_rows
from fares.gtfs.fares_v1.model import Fare, FareAttribute, FareRule, FaresV1
from fares.gtfs.fares_v1.schema import FareAttributeSchema, FareRuleSchema
from fares.gtfs.reader import RawFeed
from fares.validation import Problems

ATTRIBUTES = "fare_attributes.txt"
RULES = "fare_rules.txt"
NO_CURRENCY = "XXX"  # ISO 4217 "no currency": the currency of a feed without a valid fare


def load_fares_v1(raw: RawFeed, basics: FeedBasics, problems: Problems) -> FaresV1 | None:
    """The feed's Fares v1, or None when it has no fare_attributes.txt (both files are optional)."""
    if not raw.has(ATTRIBUTES):
        if raw.has(RULES):
            problems.add(RULES, None, None, "fare_rules.txt refers to fare_attributes.txt, which the feed lacks")
        return None
    attributes = _load_attributes(raw, basics, problems)
    currency = _one_currency(attributes, problems)
    listed = {row.get("fare_id") for row in raw.rows(ATTRIBUTES)}
    rules = _load_rules(raw, basics, listed, problems)
    by_fare: dict[str, list[FareRule]] = defaultdict(list)
    for rule in rules:
        by_fare[rule.fare_id].append(rule)
    fares = [Fare.gather(a, by_fare.get(a.fare_id, ())) for a in attributes if a.price.currency == currency]
    return FaresV1.index(currency, fares)


def _load_attributes(raw: RawFeed, basics: FeedBasics, problems: Problems) -> list[FareAttribute]:
    if not raw.rows(ATTRIBUTES):
        problems.add(ATTRIBUTES, None, None, "the file holds no fare")
    seen: dict[str, int] = {}
    out: list[FareAttribute] = []

    def build(d: dict[str, Any], line: int) -> None:
        fare_id = d["fare_id"]
        ok = True
        if fare_id in seen:
            problems.add(ATTRIBUTES, line, "fare_id", f"duplicate fare_id {fare_id!r} (first on line {seen[fare_id]})")
            return
        seen[fare_id] = line
        try:
            price = Money.parse(d["price"], d["currency_type"])
        except ValueError as exc:
            problems.add(ATTRIBUTES, line, "price", str(exc))
            ok = False
        agency_id = d["agency_id"] or None
        if agency_id is None and len(basics.agencies) > 1:
            problems.add(ATTRIBUTES, line, "agency_id", "required when agency.txt defines several agencies")
            ok = False
        elif agency_id is not None and agency_id not in basics.agencies:
            problems.add(ATTRIBUTES, line, "agency_id", f"unknown agency_id {agency_id!r}")
            ok = False
        if ok:
            out.append(FareAttribute(
                fare_id, price, int(d["payment_method"]),
                int(d["transfers"]) if d["transfers"] else None,
                agency_id,
                int(d["transfer_duration"]) if d["transfer_duration"] else None,
                line,
            ))

    load_rows(raw, ATTRIBUTES, FareAttributeSchema(), problems, build)
    return out


def _one_currency(attributes: list[FareAttribute], problems: Problems) -> str:
    """A price is in one currency, so the feed's fares must be too; the first fare's currency wins."""
    if not attributes:
        return NO_CURRENCY
    currency = attributes[0].price.currency
    for attribute in attributes[1:]:
        if attribute.price.currency != currency:
            problems.add(ATTRIBUTES, attribute.line, "currency_type",
                         f"all fares must share one currency: line {attributes[0].line} uses {currency}")
    return currency


def _load_rules(raw: RawFeed, basics: FeedBasics, listed: set[str], problems: Problems) -> list[FareRule]:
    zones = {stop.zone_id for stop in basics.stops.values() if stop.zone_id}
    seen: dict[tuple[str, ...], int] = {}
    out: list[FareRule] = []

    def build(d: dict[str, Any], line: int) -> None:
        ok = True
        if d["fare_id"] not in listed:
            problems.add(RULES, line, "fare_id", f"unknown fare_id {d['fare_id']!r}")
            ok = False
        if d["route_id"] and d["route_id"] not in basics.routes:
            problems.add(RULES, line, "route_id", f"unknown route_id {d['route_id']!r}")
            ok = False
        for field in ("origin_id", "destination_id", "contains_id"):
            if d[field] and d[field] not in zones:
                problems.add(RULES, line, field, f"no stop has zone_id {d[field]!r}")
                ok = False
        key = (d["fare_id"], d["route_id"], d["origin_id"], d["destination_id"], d["contains_id"])
        if key in seen:
            problems.add(RULES, line, None, f"the same rule as line {seen[key]}")
            return
        seen[key] = line
        if ok:
            out.append(FareRule(d["fare_id"], d["route_id"] or None, d["origin_id"] or None,
                                d["destination_id"] or None, d["contains_id"] or None, line))

    load_rows(raw, RULES, FareRuleSchema(), problems, build)
    return out
