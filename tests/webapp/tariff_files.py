"""Tariff uploads for the admin console's tests: the demo tariff, a broken copy and a dearer candidate."""
from __future__ import annotations

import io
import json
import textwrap
import zipfile

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
    for rule in package.get("caps", []) + package.get("passes", []):  # caps and passes name their categories
        if "rider_categories" in rule:
            rule["rider_categories"] = [c for c in rule["rider_categories"] if c != "child"]
    for fare in package["products"][0]["fare"]["fares"]:
        fare["amount"] = {4: "6.40", 5: "7.60"}.get(fare["zones"], fare["amount"])
    return json.dumps(package, indent=2).encode()


def small_gtfs_zip() -> bytes:
    """A two-line GTFS feed with Fares v2 (the loading tests' files, plus trips and stop times), in USD."""
    from tests.fares.gtfs.test_fares_v2_loading import BASICS, FARES

    files = {name: textwrap.dedent(text).strip() + "\n" for name, text in {**BASICS, **FARES}.items()}
    files.update({
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\ns1,One,45.50,-73.60\ns2,Two,45.51,-73.61\n",
        "trips.txt": "route_id,service_id,trip_id\nr1,weekdays,t1\nr2,weekdays,t2\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "t1,08:00:00,08:00:00,s1,1\nt1,08:10:00,08:10:00,s2,2\n"
                          "t2,09:00:00,09:00:00,s2,1\nt2,09:10:00,09:10:00,s1,2\n",
    })
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()
