"""Tariff uploads for the admin console's tests: the demo tariff, a broken copy and a dearer candidate."""
from __future__ import annotations

import json

from webapp.demo import TARIFF_FILE

DEMO_TARIFF = TARIFF_FILE.read_text(encoding="utf-8")


def broken_tariff() -> bytes:
    """Two problems: an unknown field in a rider category (line 12), a fare that is no amount (line 27)."""
    return DEMO_TARIFF.replace('"amount": "7.10"', '"amount": "seven"') \
        .replace('"id": "child", "name"', '"id": "child", "nam"').encode()


def dearer_tariff_without_children() -> bytes:
    """The demo tariff with four zones at 6.40 (was 5.90), five at 7.60 (was 7.10) and no child category.

    Child journeys cannot be priced under it.
    """
    package = json.loads(DEMO_TARIFF)
    package["name"] = "VAU Verbundtarif 2027"
    package["rider_categories"] = [c for c in package["rider_categories"] if c["id"] != "child"]
    for fare in package["products"][0]["fare"]["fares"]:
        fare["amount"] = {4: "6.40", 5: "7.60"}.get(fare["zones"], fare["amount"])
    return json.dumps(package, indent=2).encode()
