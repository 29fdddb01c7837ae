"""Loading fare_media.txt, rider_categories.txt and fare_products.txt."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from fares.gtfs.basics import load_rows
from fares.gtfs.fares_v2.model import FareMedia, ProductRow, RiderCategory
from fares.gtfs.fares_v2.primary_keys import PrimaryKeys, ids_in
from fares.gtfs.fares_v2.schemas import FareMediaSchema, FareProductSchema, RiderCategorySchema
from fares.gtfs.reader import RawFeed
from fares.validation import Problems

NO_CURRENCY = "XXX"  # ISO 4217 "no currency", for a feed without fare products


def load_fare_media(raw: RawFeed, problems: Problems) -> dict[str, FareMedia]:
    keys = PrimaryKeys("fare_media.txt", "fare_media_id", problems)
    media: dict[str, FareMedia] = {}

    def build(d: dict[str, Any], line: int) -> None:
        if keys.is_new(d["fare_media_id"], line):
            media[d["fare_media_id"]] = FareMedia(d["fare_media_id"], d["fare_media_name"], d["fare_media_type"])

    load_rows(raw, "fare_media.txt", FareMediaSchema(), problems, build)
    return media


def load_rider_categories(raw: RawFeed, problems: Problems) -> dict[str, RiderCategory]:
    """rider_categories.is_default_fare_category: one category is the default one.

    The reference asks for exactly one default among the categories eligible
    for a product (checked in ``load_products``); with one default overall a
    rider who names no category is priced as that default.
    """
    keys = PrimaryKeys("rider_categories.txt", "rider_category_id", problems)
    categories: dict[str, RiderCategory] = {}
    default_lines: list[int] = []

    def build(d: dict[str, Any], line: int) -> None:
        if keys.is_new(d["rider_category_id"], line):
            is_default = d["is_default_fare_category"] == 1
            categories[d["rider_category_id"]] = RiderCategory(
                d["rider_category_id"], d["rider_category_name"], is_default, d["eligibility_url"])
            if is_default:
                default_lines.append(line)

    load_rows(raw, "rider_categories.txt", RiderCategorySchema(), problems, build)
    if categories and not default_lines:
        problems.add("rider_categories.txt", None, "is_default_fare_category",
                     "no rider category is marked as the default (is_default_fare_category=1)")
    for line in default_lines[1:]:
        problems.add("rider_categories.txt", line, "is_default_fare_category",
                     f"a second default rider category (the first is on line {default_lines[0]})")
    return categories


def load_products(raw: RawFeed, problems: Problems, categories: dict[str, RiderCategory]
                  ) -> tuple[dict[str, tuple[ProductRow, ...]], str]:
    """fare_products.txt: several rows per product for different media or rider categories.

    Returns the rows by product id and the one currency the engine prices in.
    """
    file = "fare_products.txt"
    known_media = ids_in(raw, "fare_media.txt", "fare_media_id")  # ids, even of rows that failed validation
    known_categories = ids_in(raw, "rider_categories.txt", "rider_category_id")
    keys = PrimaryKeys(file, "fare_product_id", problems)
    rows: dict[str, list[ProductRow]] = defaultdict(list)
    first: list[tuple[str, int]] = []  # the first currency and its line

    def build(d: dict[str, Any], line: int) -> None:
        if d["rider_category_id"] is not None and d["rider_category_id"] not in known_categories:
            problems.add(file, line, "rider_category_id", f"unknown rider_category_id {d['rider_category_id']!r}")
            return
        if d["fare_media_id"] is not None and d["fare_media_id"] not in known_media:
            problems.add(file, line, "fare_media_id", f"unknown fare_media_id {d['fare_media_id']!r}")
            return
        if not first:
            first.append((d["currency"], line))
        elif d["currency"] != first[0][0]:
            problems.add(file, line, "currency", f"{d['currency']} differs from {first[0][0]} (line {first[0][1]}): "
                         "the engine prices a tariff in one currency")
            return
        if keys.is_new((d["fare_product_id"], d["rider_category_id"], d["fare_media_id"]), line):
            rows[d["fare_product_id"]].append(ProductRow(
                d["fare_product_id"], d["fare_product_name"], d["rider_category_id"], d["fare_media_id"],
                d["amount"], line))

    load_rows(raw, file, FareProductSchema(), problems, build)
    for product_id, product_rows in rows.items():
        eligible = {row.rider_category_id for row in product_rows if row.rider_category_id is not None}
        defaults = [c for c in sorted(eligible) if c in categories and categories[c].is_default]
        if len(eligible) > 1 and len(defaults) != 1 and eligible <= categories.keys():
            problems.add(file, product_rows[0].line, "rider_category_id",
                         f"product {product_id!r} is for rider categories {', '.join(sorted(eligible))}: "
                         f"exactly one of them must be the default, not {len(defaults)}")
    currency = first[0][0] if first else NO_CURRENCY
    return {product_id: tuple(r) for product_id, r in rows.items()}, currency
