"""Pricing itineraries under GTFS Fares v1: matching rules, transfers, the cheapest cover.

The feed (amounts in EUR cents):

    agencies BUS, RAIL
    stops    A, B zone 1 | C zone 2 | D zone 3 | P zone 4 (a platform of station S, zone_id 9 ignored)
    BUS1  (BUS)   A - B - C        zones 1 1 2
    BUS2  (BUS)   C - D - P        zones 2 3 4
    RAIL1 (RAIL)  A - C - D        zones 1 2 3

Each test writes its own fare_attributes.txt and fare_rules.txt.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.money import Money
from fares.gtfs.basics import load_basics
from fares.gtfs.fares_v1 import FaresV1Engine, load_fares_v1
from fares.gtfs.reader import read_feed
from fares.network import Network, Pattern, Route, Stop
from fares.price import ItineraryLeg, OperatorAmount, Product
from fares.validation import Problems

BERLIN = ZoneInfo("Europe/Berlin")
AGENCIES = """agency_id,agency_name,agency_url,agency_timezone
BUS,City Bus,https://bus.example,Europe/Berlin
RAIL,Regional Rail,https://rail.example,Europe/Berlin
"""
STOPS = """stop_id,stop_name,stop_lat,stop_lon,zone_id,location_type,parent_station
A,Alte Muehle,50.0,8.0,1,0,
B,Bahnhofstrasse,50.0,8.1,1,0,
C,Center,50.0,8.2,2,0,
D,Dorf,50.0,8.3,3,0,
S,Station,50.0,8.4,9,1,
P,Station platform 1,50.0,8.4,4,0,S
"""
ROUTES = """route_id,agency_id,route_short_name,route_long_name,route_type
BUS1,BUS,1,,3
BUS2,BUS,2,,3
RAIL1,RAIL,R1,,2
"""
ATTRIBUTES = "fare_id,price,currency_type,payment_method,transfers,agency_id,transfer_duration\n"
RULES = "fare_id,route_id,origin_id,destination_id,contains_id\n"


def network() -> Network:
    lines = {"BUS1": ("BUS", ("A", "B", "C")), "BUS2": ("BUS", ("C", "D", "P")), "RAIL1": ("RAIL", ("A", "C", "D"))}
    routes = {
        rid: Route(rid, agency, rid, "bus", 600, 0, 86_000, patterns=(Pattern(rid, 0, stops, (0, 60, 120)),))
        for rid, (agency, stops) in lines.items()
    }
    return Network({sid: Stop(sid, sid, 50.0, 8.0) for sid in "ABCDP"}, routes)


def engine(tmp_path: Path, attributes: str, rules: str | None = None, with_network: bool = False) -> FaresV1Engine:
    files = {"agency.txt": AGENCIES, "stops.txt": STOPS, "routes.txt": ROUTES,
             "fare_attributes.txt": ATTRIBUTES + attributes}
    if rules is not None:
        files["fare_rules.txt"] = RULES + rules
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    problems = Problems()
    raw = read_feed(tmp_path, problems=problems)
    basics = load_basics(raw, problems)
    data = load_fares_v1(raw, basics, problems)
    assert not problems.items, problems.items
    assert data is not None
    return FaresV1Engine(data, basics, network() if with_network else None)


def leg(route_id: str, from_stop: str, to_stop: str, departure: str | None = "10:00") -> ItineraryLeg:
    when = None
    if departure is not None:
        hour, minute, *second = (int(part) for part in departure.split(":"))
        when = datetime(2024, 5, 6, hour, minute, second[0] if second else 0, tzinfo=BERLIN)
    return ItineraryLeg(route_id, from_stop, to_stop, when)


def cents(amount: int) -> Money:
    return Money(amount, "EUR")


def groups(price_products: tuple[Product, ...]) -> list[tuple[str, tuple[int, ...], int]]:
    return [(p.id, p.leg_indexes, p.amount.minor) for p in price_products]


# --- fare_rules.route_id -------------------------------------------------------------------------


def test_a_route_rule_prices_a_leg_on_that_route(tmp_path: Path) -> None:
    fares = engine(tmp_path, "bus,2.00,EUR,0,0,BUS,\nrail,3.00,EUR,0,0,RAIL,\n", "bus,BUS1,,,\nrail,RAIL1,,,\n")
    price = fares.price([leg("BUS1", "A", "C")])
    assert price.total == cents(200)
    assert groups(price.products) == [("bus", (0,), 200)]


def test_a_route_not_named_by_any_rule_of_the_fare_is_not_covered(tmp_path: Path) -> None:
    fares = engine(tmp_path, "bus,2.00,EUR,0,,BUS,\n", "bus,BUS1,,,\n")
    price = fares.price([leg("BUS1", "A", "C"), leg("BUS2", "C", "D")])
    assert price.total is None
    assert price.unpriced_legs == (1,)
    assert groups(price.products) == [("bus", (0,), 200)]
    assert price.legs[1].standalone is None


def test_every_route_of_a_group_must_be_among_the_fare_routes(tmp_path: Path) -> None:
    fares = engine(tmp_path, "both,2.00,EUR,0,1,BUS,\none,1.50,EUR,0,0,BUS,\n",
                   "both,BUS1,,,\nboth,BUS2,,,\none,BUS1,,,\none,BUS2,,,\n")
    price = fares.price([leg("BUS1", "A", "C"), leg("BUS2", "C", "D")])
    assert price.total == cents(200)
    assert groups(price.products) == [("both", (0, 1), 200)]


# --- fare_rules.origin_id / destination_id -----------------------------------------------------


def test_origin_and_destination_are_the_zones_of_the_first_boarding_and_the_last_alighting(tmp_path: Path) -> None:
    fares = engine(tmp_path, "z13,3.00,EUR,0,1,BUS,\nz11,1.00,EUR,0,0,BUS,\nz23,1.00,EUR,0,0,BUS,\n",
                   "z13,,1,3,\nz11,,1,1,\nz23,,2,3,\n")
    assert fares.price([leg("BUS1", "A", "B")]).total == cents(100)
    # A (zone 1) to C (zone 2) has no fare alone; via C on to D it is one z13 fare of 1 -> 3.
    assert fares.price([leg("BUS1", "A", "C")]).unpriced_legs == (0,)
    price = fares.price([leg("BUS1", "A", "C"), leg("BUS2", "C", "D")])
    assert groups(price.products) == [("z13", (0, 1), 300)]


def test_origin_destination_pairs_are_not_mixed_across_rows(tmp_path: Path) -> None:
    """Rows 1->2 and 2->1 allow those two trips, not 1->1 (a pair, not two independent sets)."""
    fares = engine(tmp_path, "f,2.00,EUR,0,0,RAIL,\n", "f,,1,2,\nf,,2,1,\n")
    assert fares.price([leg("RAIL1", "A", "C")]).total == cents(200)
    assert fares.price([leg("RAIL1", "C", "A")]).total == cents(200)
    assert fares.price([leg("RAIL1", "A", "A")]).unpriced_legs == (0,)


def test_an_empty_origin_or_destination_matches_any_zone(tmp_path: Path) -> None:
    fares = engine(tmp_path, "from1,2.00,EUR,0,0,RAIL,\nto3,3.00,EUR,0,0,RAIL,\n", "from1,,1,,\nto3,,,3,\n")
    assert groups(fares.price([leg("RAIL1", "A", "C")]).products) == [("from1", (0,), 200)]
    assert groups(fares.price([leg("RAIL1", "C", "D")]).products) == [("to3", (0,), 300)]
    assert groups(fares.price([leg("RAIL1", "A", "D")]).products) == [("from1", (0,), 200)]
    assert fares.price([leg("RAIL1", "C", "A")]).unpriced_legs == (0,)


def test_route_and_zone_rules_of_one_fare_must_all_hold(tmp_path: Path) -> None:
    fares = engine(tmp_path, "f,2.00,EUR,0,0,BUS,\n", "f,BUS1,1,2,\n")
    assert fares.price([leg("BUS1", "A", "C")]).total == cents(200)
    assert fares.price([leg("BUS1", "A", "B")]).unpriced_legs == (0,)  # zone 1 -> 1
    assert fares.price([leg("BUS2", "C", "D")]).unpriced_legs == (0,)  # route BUS2


def test_a_station_zone_is_ignored_and_a_platform_has_its_own(tmp_path: Path) -> None:
    fares = engine(tmp_path, "to4,2.00,EUR,0,0,BUS,\nto9,1.00,EUR,0,0,BUS,\n", "to4,,,4,\nto9,,,9,\n")
    assert groups(fares.price([leg("BUS2", "C", "P")]).products) == [("to4", (0,), 200)]
    price = fares.price([leg("BUS2", "C", "S")])
    assert price.unpriced_legs == (0,)
    assert price.legs[0].zones == ("2",)


# --- fare_rules.contains_id --------------------------------------------------------------------


def test_contains_requires_exactly_the_zones_passed(tmp_path: Path) -> None:
    fares = engine(tmp_path, "c123,4.00,EUR,0,0,RAIL,\n", "c123,RAIL1,,,1\nc123,RAIL1,,,2\nc123,RAIL1,,,3\n",
                   with_network=True)
    assert fares.price([leg("RAIL1", "A", "D")]).total == cents(400)  # passes 1, 2, 3
    assert fares.price([leg("RAIL1", "A", "C")]).unpriced_legs == (0,)  # 1, 2: zone 3 missing


def test_contains_refuses_a_trip_through_more_zones_than_listed(tmp_path: Path) -> None:
    fares = engine(tmp_path, "c13,4.00,EUR,0,0,RAIL,\n", "c13,RAIL1,,,1\nc13,RAIL1,,,3\n", with_network=True)
    assert fares.price([leg("RAIL1", "A", "D")]).unpriced_legs == (0,)  # passes 1, 2, 3


def test_without_a_network_only_boarding_and_alighting_zones_count(tmp_path: Path) -> None:
    fares = engine(tmp_path, "c13,4.00,EUR,0,0,RAIL,\n", "c13,RAIL1,,,1\nc13,RAIL1,,,3\n")
    price = fares.price([leg("RAIL1", "A", "D")])
    assert price.total == cents(400)
    assert price.legs[0].zones == ("1", "3")


def test_contains_counts_the_zones_of_every_leg_of_the_group(tmp_path: Path) -> None:
    fares = engine(tmp_path, "c1234,5.00,EUR,0,1,BUS,\n", "c1234,,,,1\nc1234,,,,2\nc1234,,,,3\nc1234,,,,4\n",
                   with_network=True)
    price = fares.price([leg("BUS1", "A", "C"), leg("BUS2", "C", "P")])
    assert groups(price.products) == [("c1234", (0, 1), 500)]
    assert [p.zones for p in price.legs] == [("1", "2"), ("2", "3", "4")]
    assert fares.price([leg("BUS2", "C", "P")]).unpriced_legs == (0,)  # 2, 3, 4 only


# --- a fare without rules, agency_id -------------------------------------------------------------


def test_a_fare_without_rules_covers_every_route_of_its_agency(tmp_path: Path) -> None:
    fares = engine(tmp_path, "bus,2.00,EUR,0,,BUS,\n", "")
    price = fares.price([leg("BUS1", "A", "C"), leg("BUS2", "C", "P")])
    assert groups(price.products) == [("bus", (0, 1), 200)]
    assert price.products[0].rules == (
        "fare_attributes.txt:2 fare_id=bus price=2.00 EUR transfers=unlimited agency_id=BUS "
        "(no fare_rules: any route, any zone)",
    )


def test_agency_id_keeps_a_fare_off_the_routes_of_other_agencies(tmp_path: Path) -> None:
    fares = engine(tmp_path, "bus,2.00,EUR,0,,BUS,\nrail,3.00,EUR,0,,RAIL,\n")
    price = fares.price([leg("BUS1", "A", "C"), leg("RAIL1", "C", "D")])
    assert groups(price.products) == [("bus", (0,), 200), ("rail", (1,), 300)]
    assert price.operators == (OperatorAmount("BUS", cents(200), cents(200)),
                               OperatorAmount("RAIL", cents(300), cents(300)))


# --- fare_attributes.transfers ---------------------------------------------------------------------

THREE_BUS_LEGS = [leg("BUS1", "A", "B", "10:00"), leg("BUS2", "C", "D", "10:10"), leg("BUS1", "B", "C", "10:20")]


@pytest.mark.parametrize(("transfers", "expected"), [
    ("", [("t", (0, 1, 2), 200)]),
    ("2", [("t", (0, 1, 2), 200)]),
    ("1", [("t", (0,), 200), ("t", (1, 2), 200)]),  # tie-break: the last fare covers the most legs
    ("0", [("t", (0,), 200), ("t", (1,), 200), ("t", (2,), 200)]),
])
def test_transfers_limits_the_legs_one_fare_covers(tmp_path: Path, transfers: str,
                                                   expected: list[tuple[str, tuple[int, ...], int]]) -> None:
    fares = engine(tmp_path, f"t,2.00,EUR,0,{transfers},BUS,\n")
    assert groups(fares.price(THREE_BUS_LEGS).products) == expected


def test_empty_transfers_lets_one_fare_cover_many_legs(tmp_path: Path) -> None:
    fares = engine(tmp_path, "t,2.00,EUR,0,,BUS,\n")
    legs = [leg("BUS1" if i % 2 else "BUS2", "C", "D", f"10:{i:02d}") for i in range(6)]
    price = fares.price(legs)
    assert groups(price.products) == [("t", (0, 1, 2, 3, 4, 5), 200)]


# --- fare_attributes.transfer_duration -----------------------------------------------------------


@pytest.mark.parametrize(("second_departure", "fares_needed"), [
    ("10:59:59", 1),
    ("11:00:00", 1),  # inclusive
    ("11:00:01", 2),
    (None, 2),  # unknown time: the limit cannot be shown to hold
])
def test_transfer_duration_limits_the_time_from_first_departure_to_last_boarding(
        tmp_path: Path, second_departure: str | None, fares_needed: int) -> None:
    fares = engine(tmp_path, "t,2.00,EUR,0,,BUS,3600\n")
    price = fares.price([leg("BUS1", "A", "C", "10:00"), leg("BUS2", "C", "D", second_departure)])
    assert len(price.products) == fares_needed
    assert price.total == cents(200 * fares_needed)


def test_the_ride_after_the_last_transfer_may_end_after_the_transfer_duration(tmp_path: Path) -> None:
    fares = engine(tmp_path, "t,2.00,EUR,0,,BUS,1800\n")
    second = ItineraryLeg("BUS2", "C", "D", datetime(2024, 5, 6, 10, 25, tzinfo=BERLIN),
                          datetime(2024, 5, 6, 12, 0, tzinfo=BERLIN))
    price = fares.price([leg("BUS1", "A", "C", "10:00"), second])
    assert groups(price.products) == [("t", (0, 1), 200)]


def test_transfer_duration_counts_from_the_first_leg_not_the_previous_one(tmp_path: Path) -> None:
    fares = engine(tmp_path, "t,2.00,EUR,0,,BUS,1800\n")
    legs = [leg("BUS1", "A", "B", "10:00"), leg("BUS1", "B", "C", "10:20"), leg("BUS2", "C", "D", "10:40")]
    # Each transfer is 20 minutes after the previous boarding, but the third is 40 after the first:
    # two fares, and by the tie-break the second one covers legs 1-2.
    assert groups(fares.price(legs).products) == [("t", (0,), 200), ("t", (1, 2), 200)]


def test_transfer_duration_does_not_limit_a_single_leg_without_times(tmp_path: Path) -> None:
    fares = engine(tmp_path, "t,2.00,EUR,0,0,BUS,60\n")
    assert fares.price([leg("BUS1", "A", "C", None)]).total == cents(200)


# --- the cheapest cover --------------------------------------------------------------------------


def test_a_day_fare_is_chosen_when_it_is_cheaper_than_singles(tmp_path: Path) -> None:
    fares = engine(tmp_path, "single,2.00,EUR,0,0,BUS,\nday,3.00,EUR,0,,BUS,\n")
    one = fares.price([leg("BUS1", "A", "C")])
    assert groups(one.products) == [("single", (0,), 200)]
    two = fares.price([leg("BUS1", "A", "C", "10:00"), leg("BUS2", "C", "D", "10:30")])
    assert groups(two.products) == [("day", (0, 1), 300)]
    assert [p.standalone for p in two.legs] == [cents(200), cents(200)]
    assert two.operators == (OperatorAmount("BUS", cents(300), cents(400)),)


def test_the_cover_is_the_cheapest_partition_not_the_greedy_one(tmp_path: Path) -> None:
    """Options: [0] z 1.00, [1] y 2.50, [2] y 2.50, [0,1] x 3.00, [1,2] y 2.50.

    Greedy from the left takes x for legs 0-1 and y for leg 2 (5.50); the cheapest is z + y (3.50).
    """
    fares = engine(tmp_path, "x,3.00,EUR,0,1,BUS,\ny,2.50,EUR,0,1,BUS,\nz,1.00,EUR,0,0,BUS,\n",
                   "x,BUS1,,,\nx,BUS2,,,\ny,BUS2,,,\nz,BUS1,,,\n")
    price = fares.price([leg("BUS1", "A", "C"), leg("BUS2", "C", "D"), leg("BUS2", "D", "P")])
    assert groups(price.products) == [("z", (0,), 100), ("y", (1, 2), 250)]
    assert price.total == cents(350)


def test_equal_prices_pick_the_smallest_fare_id(tmp_path: Path) -> None:
    fares = engine(tmp_path, "b,2.00,EUR,0,0,BUS,\na,2.00,EUR,0,0,BUS,\nc,2.00,EUR,0,0,BUS,\n")
    assert groups(fares.price([leg("BUS1", "A", "C")]).products) == [("a", (0,), 200)]


def test_equal_totals_prefer_fewer_fares(tmp_path: Path) -> None:
    fares = engine(tmp_path, "single,1.00,EUR,0,0,BUS,\npair,2.00,EUR,0,1,BUS,\n")
    price = fares.price([leg("BUS1", "A", "C"), leg("BUS2", "C", "D")])
    assert groups(price.products) == [("pair", (0, 1), 200)]


def test_equal_totals_prefer_fewer_fares_over_a_longer_last_fare(tmp_path: Path) -> None:
    """Options: each leg alone 1.00 (one); tri 3.00 for legs 0-1-2 (BUS1 only); pair 2.00 for legs 2-3 (to zone 3).

    [0][1][2-3] and [0-1-2][3] both cost 4.00; the second has two fares, not three.
    """
    fares = engine(tmp_path, "one,1.00,EUR,0,0,BUS,\ntri,3.00,EUR,0,2,BUS,\npair,2.00,EUR,0,1,BUS,\n",
                   "tri,BUS1,,,\npair,,,3,\n")
    price = fares.price([leg("BUS1", "A", "B"), leg("BUS1", "B", "A"), leg("BUS1", "A", "B"), leg("BUS2", "C", "D")])
    assert groups(price.products) == [("tri", (0, 1, 2), 300), ("one", (3,), 100)]


def test_a_free_fare_costs_zero_and_still_covers(tmp_path: Path) -> None:
    fares = engine(tmp_path, "free,0,EUR,0,0,BUS,\n")
    price = fares.price([leg("BUS1", "A", "C")])
    assert price.total == cents(0)
    assert price.operators == (OperatorAmount("BUS", cents(0), cents(0)),)


# --- the Price answer ----------------------------------------------------------------------------


def test_a_leg_on_a_route_outside_the_feed_is_unpriced_and_explained(tmp_path: Path) -> None:
    fares = engine(tmp_path, "bus,2.00,EUR,0,,BUS,\n")
    price = fares.price([leg("BUS1", "A", "C"), leg("TRAM9", "C", "D"), leg("BUS2", "C", "D")])
    assert price.total is None
    assert price.unpriced_legs == (1,)
    assert groups(price.products) == [("bus", (0,), 200), ("bus", (2,), 200)]
    assert price.legs[1].operator_id is None
    assert price.operators == ()
    assert price.rules[1] == "leg 1: route TRAM9 is not in the feed"
    assert price.rules[-1] == "no total: leg(s) 1 cannot be priced"


def test_the_price_explains_each_fare_and_the_total(tmp_path: Path) -> None:
    fares = engine(tmp_path, "t,2.00,EUR,0,1,BUS,3600\nr,3.00,EUR,0,0,RAIL,\n", "t,BUS1,,,\nt,BUS2,,,\nt,,1,3,\n")
    price = fares.price([leg("BUS1", "A", "C", "10:00"), leg("BUS2", "C", "D", "10:30"),
                         leg("RAIL1", "D", "A", "11:00")])
    assert price.rules == (
        "legs 0-1: fare t 2.00 EUR (routes BUS1, BUS2; zone 1 to 3; 1 transfer(s), 1 allowed; "
        "last boarding 1800 s after the first, within 3600 s)",
        "leg 2: fare r 3.00 EUR (routes RAIL1; zone 3 to 1; 0 transfer(s), 0 allowed)",
        "total 5.00 EUR for 2 fare(s)",
    )
    assert price.products[0].rules == ("fare_rules.txt:2 fare_id=t route_id=BUS1",
                                       "fare_rules.txt:3 fare_id=t route_id=BUS2",
                                       "fare_rules.txt:4 fare_id=t origin_id=1 destination_id=3")
    assert price.legs[0].rules == price.legs[1].rules == price.products[0].rules
    assert price.legs[2].rules == ("fare_attributes.txt:3 fare_id=r price=3.00 EUR transfers=0 agency_id=RAIL "
                                   "(no fare_rules: any route, any zone)",)


def test_priced_legs_carry_operator_zones_in_travel_order_and_standalone(tmp_path: Path) -> None:
    fares = engine(tmp_path, "bus,2.00,EUR,0,,BUS,\nrail,3.00,EUR,0,0,RAIL,\n", with_network=True)
    price = fares.price([leg("RAIL1", "A", "D"), leg("BUS2", "D", "C")])  # BUS2 runs C -> D only
    first, second = price.legs
    assert (first.operator_id, first.zones, first.standalone) == ("RAIL", ("1", "2", "3"), cents(300))
    assert (second.operator_id, second.zones, second.standalone) == ("BUS", ("3", "2"), cents(200))


def test_rider_category_and_fare_media_do_not_change_a_v1_price(tmp_path: Path) -> None:
    fares = engine(tmp_path, "bus,2.00,EUR,0,,BUS,\n")
    legs = [leg("BUS1", "A", "C")]
    assert fares.price(legs, rider_category="senior", fare_media="card") == fares.price(legs)
    assert fares.price(legs).rider_category is None


def test_an_empty_itinerary_costs_nothing(tmp_path: Path) -> None:
    fares = engine(tmp_path, "bus,2.00,EUR,0,,BUS,\n")
    price = fares.price([])
    assert (price.total, price.products, price.legs, price.currency) == (cents(0), (), (), "EUR")
