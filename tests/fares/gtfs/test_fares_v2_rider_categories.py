"""Choosing the row of a fare product by rider category and fare media.

A row without rider_category_id is for every category; a rider who names no
category is priced as the default one. A row without fare_media_id (media
unknown) is usable with any media; a rider who names no media may use any.
The cheapest eligible row is paid.
"""
from __future__ import annotations

import pytest

from core.errors import NoFareFound
from core.money import Money
from fares.gtfs.fares_v2 import FaresV2Engine
from fares.price import ItineraryLeg
from tests.fares.gtfs.v2_feeds import engine_from_texts

FEED = {
    "agency.txt": """
        agency_id,agency_name,agency_url,agency_timezone
        ag1,Transit,https://transit.example,Europe/Paris
    """,
    "stops.txt": "stop_id,stop_name,location_type\nS1,One,0\nS2,Two,0\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_type\nr1,ag1,1,3\n",
    "rider_categories.txt": """
        rider_category_id,rider_category_name,is_default_fare_category
        adult,Adult,1
        child,Child,0
        senior,Senior,
    """,
    "fare_media.txt": """
        fare_media_id,fare_media_name,fare_media_type
        cash,Cash,0
        card,Navigo,2
        app,App,4
    """,
    "fare_products.txt": """
        fare_product_id,fare_product_name,rider_category_id,fare_media_id,amount,currency
        single,Single,adult,cash,3.00,EUR
        single,Single,adult,card,2.50,EUR
        single,Single,child,,1.50,EUR
        single,Single,,app,2.00,EUR
    """,
    "fare_leg_rules.txt": "fare_product_id\nsingle\n",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> FaresV2Engine:
    folder = tmp_path_factory.mktemp("riders")
    return engine_from_texts(folder, FEED)


LEG = [ItineraryLeg("r1", "S1", "S2")]


@pytest.mark.parametrize("category, media, amount, row_category, row_media", [
    (None, None, "2.00", None, "app"),  # the default (adult) may use any media: the app row is cheapest
    ("adult", "cash", "3.00", "adult", "cash"),
    ("adult", "card", "2.50", "adult", "card"),
    ("child", None, "1.50", "child", None),
    ("child", "app", "1.50", "child", None),  # a row of unknown media is usable with the app too
    ("senior", None, "2.00", None, "app"),  # only the row for every category is left
], ids=["default", "adult-cash", "adult-card", "child", "child-app", "senior"])
def test_the_cheapest_row_for_the_category_and_media_is_paid(
        engine: FaresV2Engine, category: str | None, media: str | None, amount: str,
        row_category: str | None, row_media: str | None) -> None:
    price = engine.price(LEG, rider_category=category, fare_media=media)
    assert price.total == Money.parse(amount, "EUR")
    (product,) = price.products
    assert (product.rider_category, product.fare_media) == (row_category, row_media)
    assert price.rider_category == (category or "adult")


def test_a_leg_whose_product_has_no_row_for_the_rider_has_no_fare(engine: FaresV2Engine) -> None:
    price = engine.price(LEG, rider_category="senior", fare_media="cash")
    assert price.total is None
    assert price.unpriced_legs == (0,)
    assert price.rules == ("leg 0 (S1 to S2): fare_leg_rules.txt:2 (single) match, but no row of the product is for "
                           "rider category senior and the chosen fare media, so the journey has no fare",)


def test_an_unknown_rider_category_is_refused(engine: FaresV2Engine) -> None:
    with pytest.raises(NoFareFound) as refused:
        engine.price(LEG, rider_category="student")
    assert refused.value.code == "unknown_rider_category"


def test_an_unknown_fare_media_is_refused(engine: FaresV2Engine) -> None:
    with pytest.raises(NoFareFound) as refused:
        engine.price(LEG, fare_media="token")
    assert refused.value.code == "unknown_fare_media"
