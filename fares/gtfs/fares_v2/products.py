"""Which row of a fare product a rider pays (fare_products.rider_category_id and fare_media_id).

A row is eligible for the rider's category when it names that category or
none ("eligible for any rider_category_id"); a rider who names no category
travels as the default category. A row is usable with the chosen fare media
when it names that media or none (media unknown); a rider who names no media
may use any. Among eligible rows the cheapest is paid (the earlier line on a tie).
"""
from __future__ import annotations

from fares.gtfs.fares_v2.model import FaresV2, ProductRow

_MISSING = object()


class ProductChooser:
    def __init__(self, fares: FaresV2) -> None:
        self._rows = fares.products
        self._chosen: dict[tuple[str, str | None, str | None], ProductRow | None] = {}

    def row(self, product_id: str, rider_category: str | None, fare_media: str | None) -> ProductRow | None:
        key = (product_id, rider_category, fare_media)
        chosen = self._chosen.get(key, _MISSING)
        if chosen is _MISSING:
            chosen = self._chosen[key] = self._choose(product_id, rider_category, fare_media)
        return chosen  # type: ignore[return-value]

    def _choose(self, product_id: str, rider_category: str | None, fare_media: str | None) -> ProductRow | None:
        best: ProductRow | None = None
        for row in self._rows.get(product_id, ()):
            if row.rider_category_id is not None and row.rider_category_id != rider_category:
                continue
            if fare_media is not None and row.fare_media_id is not None and row.fare_media_id != fare_media:
                continue
            if best is None or row.amount < best.amount:
                best = row
        return best
