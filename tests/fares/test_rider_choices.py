"""The rider categories offered for booking, whatever the active tariff's format; the default comes first."""
from __future__ import annotations

import json
from pathlib import Path

from fares.engines import ZoneTariffEngine, build_engine
from fares.network import Network
from fares.rider_categories import RiderChoice, active_rider_choices, rider_choices
from fares.tariff import ZoneTariff
from tests.fares.gtfs.v2_feeds import engine_from_texts

DEMO = Path(__file__).resolve().parents[2] / "webapp" / "demo" / "data"
DEMO_CHOICES = (RiderChoice("adult", "Erwachsene", True), RiderChoice("child", "Kinder (6-14)", False),
                RiderChoice("senior", "Senioren (65+)", False))
EMPTY = Network(stops={}, routes={}, walks=())


def test_native_format_1_and_2_offer_their_categories():
    v1 = json.loads((DEMO / "tariff.json").read_text())
    assert rider_choices(ZoneTariffEngine(ZoneTariff.from_package(v1), EMPTY)) == DEMO_CHOICES
    v2 = json.loads((DEMO / "tariff_v2.json").read_text())
    assert rider_choices(build_engine("native", v2, EMPTY, None)) == DEMO_CHOICES


def test_a_gtfs_fares_v2_feed_offers_its_default_category_first(tmp_path):
    engine = engine_from_texts(tmp_path, {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nag1,T,https://t.example,Europe/Paris\n",
        "stops.txt": "stop_id,stop_name,location_type\nS1,One,0\nS2,Two,0\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_type\nr1,ag1,1,3\n",
        "rider_categories.txt": "rider_category_id,rider_category_name,is_default_fare_category\n"
                                "child,Child,0\nadult,Adult,1\n",
        "fare_products.txt": "fare_product_id,fare_product_name,amount,currency\nsingle,Single,2.00,EUR\n",
        "fare_leg_rules.txt": "fare_product_id\nsingle\n",
    })
    assert rider_choices(engine) == (RiderChoice("adult", "Adult", True), RiderChoice("child", "Child", False))


def test_an_engine_without_categories_offers_none():
    class OneFare:
        currency = "EUR"

    assert rider_choices(OneFare()) == ()  # type: ignore[arg-type]


def test_the_active_demo_tariff_offers_its_categories(demo):
    with demo.session_factory() as session:
        assert active_rider_choices(session) == DEMO_CHOICES
