"""FaresV2Engine as a FareEngine: the Price it answers, operators' shares, unpriced journeys, bad itineraries."""
from __future__ import annotations

import inspect
import textwrap

import pytest

from core.errors import NoFareFound
from core.money import Money
from fares.gtfs.fares_v2 import FaresV2Engine, read_fares_v2
from fares.price import FareEngine, ItineraryLeg, OperatorAmount, PricedLeg, Product
from fares.validation import Problems

FEED = {
    "agency.txt": """
        agency_id,agency_name,agency_url,agency_timezone
        ag1,Bus,https://bus.example,Europe/Vienna
        ag2,Tram,https://tram.example,Europe/Vienna
    """,
    "stops.txt": "stop_id,stop_name,location_type\nS1,One,0\nS2,Two,0\nS3,Three,0\n",
    "routes.txt": """
        route_id,agency_id,route_short_name,route_type,network_id
        bus1,ag1,1,3,bus
        tram1,ag2,T,0,tram
        ferry1,ag2,F,4,ferry
    """,
    "areas.txt": "area_id,area_name\ncentre,Centre\nedge,Edge\n",
    "stop_areas.txt": "area_id,stop_id\ncentre,S1\ncentre,S2\nedge,S3\n",
    "fare_products.txt": """
        fare_product_id,fare_product_name,amount,currency
        bus_single,Bus ticket,2.00,EUR
        tram_single,Tram ticket,3.00,EUR
    """,
    "fare_leg_rules.txt": """
        leg_group_id,network_id,from_area_id,to_area_id,fare_product_id
        bus,bus,,,bus_single
        tram,tram,,,tram_single
    """,
    "fare_transfer_rules.txt": """
        from_leg_group_id,to_leg_group_id,fare_transfer_type
        bus,tram,0
    """,
}
BUS, TRAM = ItineraryLeg("bus1", "S1", "S2"), ItineraryLeg("tram1", "S2", "S3")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> FaresV2Engine:
    folder = tmp_path_factory.mktemp("engine")
    for name, text in FEED.items():
        (folder / name).write_text(textwrap.dedent(text).strip() + "\n")
    problems = Problems()
    basics, fares = read_fares_v2(folder, problems)
    assert problems.items == [] and fares is not None
    return FaresV2Engine(fares, basics, tariff_version_id=7)


def test_the_engine_has_the_fare_engine_interface(engine: FaresV2Engine) -> None:
    as_protocol: FareEngine = engine
    assert as_protocol.currency == "EUR"
    assert list(inspect.signature(engine.price).parameters) == list(
        inspect.signature(FareEngine.price).parameters)[1:]


def test_a_priced_journey_lists_products_legs_operators_and_rules(engine: FaresV2Engine) -> None:
    price = engine.price([BUS, TRAM])
    assert price.currency == "EUR"
    assert price.total == Money(200, "EUR")
    assert price.rider_category is None
    assert price.tariff_version_id == 7
    assert price.unpriced_legs == ()
    assert price.products == (Product("bus_single", "Bus ticket", Money(200, "EUR"), (0, 1), None, None,
                                      ("fare_leg_rules.txt:2",)),)
    assert price.legs == (
        PricedLeg(0, "ag1", "bus1", "S1", "S2", ("centre",), Money(200, "EUR"), ("fare_leg_rules.txt:2",)),
        PricedLeg(1, "ag2", "tram1", "S2", "S3", ("centre", "edge"), Money(300, "EUR"),
                  ("fare_leg_rules.txt:3", "fare_transfer_rules.txt:2")),
    )
    assert price.rules == (
        "leg 0 (S1 to S2): fare_leg_rules.txt:2 (leg group bus, network bus, from area any other to area any "
        "other) -> bus_single 'Bus ticket' 2.00 EUR",
        "leg 1 (S2 to S3): fare_leg_rules.txt:3 (leg group tram, network tram, from area any other to area any "
        "other) -> tram_single 'Tram ticket' 3.00 EUR (not bought: covered by the transfer)",
        "transfer from leg 0 (S1 to S2) to leg 1 (S2 to S3): fare_transfer_rules.txt:2 (fare_transfer_type 0: "
        "A + AB), no transfer product: the transfer itself is free",
        "total 2.00 EUR for rider category (none): the cheapest combination",
        "operator shares: the total split in proportion to each operator's standalone fare (largest remainder)",
    )


def test_operators_share_the_total_in_proportion_to_their_standalone_fares(engine: FaresV2Engine) -> None:
    price = engine.price([BUS, TRAM])
    assert price.operators == (OperatorAmount("ag1", Money(80, "EUR"), Money(200, "EUR")),
                               OperatorAmount("ag2", Money(120, "EUR"), Money(300, "EUR")))


def test_a_journey_with_a_leg_without_fare_has_no_total(engine: FaresV2Engine) -> None:
    price = engine.price([BUS, ItineraryLeg("ferry1", "S2", "S3")])
    assert price.total is None
    assert price.unpriced_legs == (1,)
    assert price.products == () and price.operators == ()
    assert [leg.standalone for leg in price.legs] == [Money(200, "EUR"), None]


@pytest.mark.parametrize("legs, message", [
    ([], "an itinerary needs at least one leg"),
    ([ItineraryLeg("metro9", "S1", "S2")], "leg 0: unknown route 'metro9'"),
    ([BUS, ItineraryLeg("tram1", "S2", "S9")], "leg 1: unknown stop 'S9'"),
])
def test_an_itinerary_the_feed_does_not_know_is_refused(
        engine: FaresV2Engine, legs: list[ItineraryLeg], message: str) -> None:
    with pytest.raises(NoFareFound) as refused:
        engine.price(legs)
    assert refused.value.message == message


def test_pricing_the_same_journey_twice_gives_the_same_price(engine: FaresV2Engine) -> None:
    assert engine.price([BUS, TRAM]) == engine.price([BUS, TRAM])
