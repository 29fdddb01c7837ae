"""Comparing a tariff version with another (the active one): what differs, and what sample journeys cost.

Contents are compared section by section: for a native package each list of
things with an id (rider categories, products, passes, caps...) and its
settings; for a GTFS feed each fare file (and the stops' zones), row by row
by the file's key. A changed item names the fields that differ down to the
leaf (``fare.fares[zones=5].amount: 7.10 -> 7.60``), with lists of objects
matched by their id (or ``zones``) rather than by position.

Sample prices: itineraries are priced under both versions with the engines of
``fares.cache``; an itinerary one version cannot price shows why.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.errors import FarebridgeError
from fares.cache import pricing_context
from fares.models import TariffVersion
from fares.network import Network
from fares.price import ItineraryLeg

MAX_LISTED = 50  # changes listed per section; the counts are always complete
LIST_KEYS = ("id", "zones", "fare_product_id", "rider_category_id")
# GTFS files by the columns that identify a row; others are compared as whole rows.
GTFS_KEYS: dict[str, tuple[str, ...]] = {
    "agency.txt": ("agency_id",),
    "fare_attributes.txt": ("fare_id",),
    "fare_products.txt": ("fare_product_id", "rider_category_id", "fare_media_id"),
    "fare_media.txt": ("fare_media_id",),
    "rider_categories.txt": ("rider_category_id",),
    "areas.txt": ("area_id",),
    "stop_areas.txt": ("area_id", "stop_id"),
    "networks.txt": ("network_id",),
    "route_networks.txt": ("route_id",),
    "timeframes.txt": ("timeframe_group_id", "start_time", "end_time", "service_id"),
    "stops.txt": ("stop_id",),
    "routes.txt": ("route_id",),
}
GTFS_COLUMNS = {"stops.txt": ("zone_id",)}  # the stops matter to fares by their zone only


@dataclass(frozen=True, slots=True)
class FieldChange:
    path: str  # e.g. fare.fares[zones=5].amount
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class ItemChange:
    key: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True, slots=True)
class SectionDiff:
    name: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[ItemChange, ...]
    unchanged: int
    added_count: int
    removed_count: int
    changed_count: int

    @property
    def differs(self) -> bool:
        return bool(self.added_count or self.removed_count or self.changed_count)


@dataclass(frozen=True, slots=True)
class ContentComparison:
    old_format: str
    new_format: str
    sections: tuple[SectionDiff, ...]

    @property
    def differs(self) -> bool:
        return any(section.differs for section in self.sections)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _list_key(items: Sequence[Any]) -> str | None:
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for key in LIST_KEYS:
        values = [item.get(key) for item in items]
        if all(v is not None for v in values) and len(set(map(str, values))) == len(values):
            return key
    return None


def value_changes(old: Any, new: Any, path: str = "") -> list[FieldChange]:
    """The leaves that differ between two JSON values."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[FieldChange] = []
        for key in sorted(set(old) | set(new), key=str):
            changes += value_changes(old.get(key), new.get(key), f"{path}.{key}" if path else str(key))
        return changes
    if isinstance(old, list) and isinstance(new, list):
        key = _list_key(old) or _list_key(new)
        if key is not None and all(not side or _list_key(side) == key for side in (old, new)):
            before = {str(item[key]): item for item in old}
            after = {str(item[key]): item for item in new}
            changes = []
            for name in sorted(set(before) | set(after)):
                changes += value_changes(before.get(name), after.get(name), f"{path}[{key}={name}]")
            return changes
    if old == new:
        return []
    return [FieldChange(path, _text(old), _text(new))]


def compare_items(name: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> SectionDiff:
    """Items by key: added, removed, and changed with the fields that differ."""
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed = []
    unchanged = 0
    for key in sorted(set(old) & set(new)):
        fields = value_changes(old[key], new[key])
        if fields:
            changed.append(ItemChange(key, tuple(fields[:MAX_LISTED])))
        else:
            unchanged += 1
    return SectionDiff(name, tuple(added[:MAX_LISTED]), tuple(removed[:MAX_LISTED]), tuple(changed[:MAX_LISTED]),
                       unchanged, len(added), len(removed), len(changed))


def _native_sections(content: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {"settings": {}}
    for name, value in content.items():
        if name in ("name", "valid_from", "valid_to"):
            continue  # every version has its own
        if isinstance(value, list):
            key = _list_key(value)
            sections[name] = ({str(item[key]): item for item in value} if key
                              else {_text(item) or "": item for item in value})
        else:
            sections["settings"][name] = value
    return sections


def _csv_rows(text: str) -> list[dict[str, str]]:
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]


def _gtfs_sections(content: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {}
    for file_name, text in (content.get("files") or {}).items():
        rows = _csv_rows(text)
        keys = GTFS_KEYS.get(file_name)
        columns = GTFS_COLUMNS.get(file_name)
        items: dict[str, Any] = {}
        for row in rows:
            key = " / ".join(row.get(k, "") for k in keys if row.get(k)) if keys else _text(row) or ""
            items[key] = {c: row.get(c, "") for c in columns} if columns else row
        sections[file_name] = items
    return sections


def sections_of(format_: str, content: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return _gtfs_sections(content) if format_ == "gtfs" else _native_sections(content)


def compare_contents(old_format: str, old: Mapping[str, Any], new_format: str,
                     new: Mapping[str, Any]) -> ContentComparison:
    """What differs between two stored tariff contents (of any formats), section by section."""
    before, after = sections_of(old_format, old), sections_of(new_format, new)
    sections = tuple(compare_items(name, before.get(name, {}), after.get(name, {}))
                     for name in sorted(set(before) | set(after)))
    return ContentComparison(old_format, new_format, sections)


# --- sample prices ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SampleItinerary:
    label: str
    legs: tuple[ItineraryLeg, ...]


@dataclass(frozen=True, slots=True)
class PriceOutcome:
    total_minor: int | None
    currency: str | None
    problem: str | None  # why there is no price


@dataclass(frozen=True, slots=True)
class SamplePrice:
    itinerary: SampleItinerary
    active: PriceOutcome
    candidate: PriceOutcome

    @property
    def difference_minor(self) -> int | None:
        a, c = self.active, self.candidate
        if a.total_minor is None or c.total_minor is None or a.currency != c.currency:
            return None
        return c.total_minor - a.total_minor


def sample_itineraries(network: Network, limit: int = 12) -> tuple[SampleItinerary, ...]:
    """One ride per line end to end, then one to its middle stop: short and long journeys of every operator."""
    whole, half = [], []
    for route in sorted(network.routes.values(), key=lambda r: (r.operator_id, r.id)):
        if not route.patterns or len(route.patterns[0].stop_ids) < 2:
            continue
        stops = route.patterns[0].stop_ids
        name = f"{route.operator_id} {route.short_name}"
        whole.append(SampleItinerary(f"{name}: {stops[0]} → {stops[-1]}",
                                     (ItineraryLeg(route.id, stops[0], stops[-1]),)))
        if len(stops) > 2:
            middle = stops[len(stops) // 2]
            half.append(SampleItinerary(f"{name}: {stops[0]} → {middle}",
                                        (ItineraryLeg(route.id, stops[0], middle),)))
    return tuple((whole + half)[:limit])


def _price(session: Session, version_id: int | None, legs: Sequence[ItineraryLeg],
           rider_category: str | None) -> PriceOutcome:
    if version_id is None:
        return PriceOutcome(None, None, "no version is active")
    try:
        price = pricing_context(session, version_id).engine.price(legs, rider_category)
    except FarebridgeError as error:
        return PriceOutcome(None, None, error.message)
    except (KeyError, ValueError) as error:
        return PriceOutcome(None, None, f"cannot read this journey: {error}")
    if price.total is None:
        return PriceOutcome(None, price.currency, "no fare for this journey")
    return PriceOutcome(price.total.minor, price.total.currency, None)


def compare_prices(
    session: Session, active: TariffVersion | None, candidate: TariffVersion,
    itineraries: Sequence[SampleItinerary], rider_category: str | None = None,
) -> tuple[SamplePrice, ...]:
    return tuple(
        SamplePrice(itinerary, _price(session, active.id if active else None, itinerary.legs, rider_category),
                    _price(session, candidate.id, itinerary.legs, rider_category))
        for itinerary in itineraries
    )
