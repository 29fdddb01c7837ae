"""fare_transfer_rules: leg groups, the three fare_transfer_types, free transfers and chains of transfers.

fare_transfer_type 0 is A + AB, 1 is A + AB + B, 2 is AB; on a later transfer
of the same sub-journey S + BC (+ C for type 1), S being the cost so far.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

from core.money import Money
from fares.gtfs.fares_v2 import FaresV2Engine, read_fares_v2
from fares.price import ItineraryLeg, Price
from fares.validation import Problems

FEED = {
    "agency.txt": """
        agency_id,agency_name,agency_url,agency_timezone
        ag1,Bus,https://bus.example,Europe/Berlin
        ag2,Tram,https://tram.example,Europe/Berlin
        ag3,Rail,https://rail.example,Europe/Berlin
    """,
    "stops.txt": "stop_id,stop_name,location_type\nS1,One,0\nS2,Two,0\nS3,Three,0\nS4,Four,0\n",
    "routes.txt": """
        route_id,agency_id,route_short_name,route_type,network_id
        bus1,ag1,1,3,bus
        express1,ag1,X,3,express
        tram1,ag2,T,0,tram
        rail1,ag3,R,2,rail
        shuttle,ag1,S,3,
    """,
    "fare_products.txt": """
        fare_product_id,fare_product_name,amount,currency
        bus_single,Bus,2.00,EUR
        bus_flex,Bus flex,2.20,EUR
        tram_single,Tram,3.00,EUR
        rail_single,Rail,5.00,EUR
        shuttle_single,Shuttle,1.00,EUR
        t_050,Transfer,0.50,EUR
        t_100,Transfer,1.00,EUR
        t_300,Transfer,3.00,EUR
        t_disc,Transfer discount,-1.00,EUR
        combo,Bus and tram,4.50,EUR
    """,
    "fare_leg_rules.txt": """
        leg_group_id,network_id,from_area_id,to_area_id,fare_product_id
        bus,bus,,,bus_single
        bus,express,,,bus_single
        flex,express,,,bus_flex
        tram,tram,,,tram_single
        rail,rail,,,rail_single
        ,,,,shuttle_single
    """,
}
HEADER = ("from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,fare_transfer_type,"
          "fare_product_id\n")
BUS, TRAM, RAIL = ItineraryLeg("bus1", "S1", "S2"), ItineraryLeg("tram1", "S2", "S3"), ItineraryLeg("rail1", "S3", "S4")


def engine_with(tmp_path: Path, transfer_rules: str) -> FaresV2Engine:
    files = {**FEED, "fare_transfer_rules.txt": HEADER + transfer_rules}
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).strip() + "\n")
    problems = Problems()
    basics, fares = read_fares_v2(tmp_path, problems)
    assert problems.items == [] and fares is not None
    return FaresV2Engine(fares, basics)


def bought(price: Price) -> list[tuple[str, str, tuple[int, ...]]]:
    return [(p.id, p.amount.format(), p.leg_indexes) for p in price.products]


def test_type_0_pays_the_first_leg_and_the_transfer_product(tmp_path: Path) -> None:
    price = engine_with(tmp_path, "bus,tram,,,,0,t_050").price([BUS, TRAM])
    assert price.total == Money(250, "EUR")
    assert bought(price) == [("bus_single", "2.00", (0,)), ("t_050", "0.50", (0, 1))]


def test_type_1_pays_both_legs_and_the_transfer_product(tmp_path: Path) -> None:
    price = engine_with(tmp_path, "bus,tram,,,,1,t_disc").price([BUS, TRAM])
    assert price.total == Money(400, "EUR")  # 2.00 - 1.00 + 3.00
    assert bought(price) == [("bus_single", "2.00", (0,)), ("t_disc", "-1.00", (0, 1)), ("tram_single", "3.00", (1,))]


def test_type_2_pays_only_the_transfer_product(tmp_path: Path) -> None:
    price = engine_with(tmp_path, "bus,tram,,,,2,combo").price([BUS, TRAM])
    assert price.total == Money(450, "EUR")
    assert bought(price) == [("combo", "4.50", (0, 1))]


def test_a_transfer_rule_without_product_is_free_and_the_first_product_covers_both_legs(tmp_path: Path) -> None:
    price = engine_with(tmp_path, "bus,tram,,,,0,").price([BUS, TRAM])
    assert price.total == Money(200, "EUR")
    assert bought(price) == [("bus_single", "2.00", (0, 1))]
    assert price.rules[2] == ("transfer from leg 0 (S1 to S2) to leg 1 (S2 to S3): fare_transfer_rules.txt:2 "
                              "(fare_transfer_type 0: A + AB), no transfer product: the transfer itself is free")


def test_a_transfer_no_rule_matches_pays_the_legs_separately(tmp_path: Path) -> None:
    price = engine_with(tmp_path, "bus,tram,,,,0,").price([TRAM, ItineraryLeg("bus1", "S3", "S4")])
    assert price.total == Money(500, "EUR")
    assert price.rules[2] == ("transfer from leg 0 (S2 to S3) to leg 1 (S3 to S4): no transfer rule applies, "
                              "the legs are paid separately")


def test_the_cheapest_combination_may_take_a_dearer_leg_rule_that_transfers_better(tmp_path: Path) -> None:
    price = engine_with(tmp_path, "flex,tram,,,,0,").price([ItineraryLeg("express1", "S1", "S2"), TRAM])
    assert price.total == Money(220, "EUR")  # bus_flex then a free tram, not bus_single 2.00 + tram 3.00
    assert bought(price) == [("bus_flex", "2.20", (0, 1))]


def test_an_empty_leg_group_matches_the_groups_no_rule_names(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, "bus,tram,,,,0,t_050\n,tram,,,,0,t_100")
    assert engine.price([BUS, TRAM]).total == Money(250, "EUR")  # bus is named: only its own rule applies
    rail_then_tram = engine.price([ItineraryLeg("rail1", "S1", "S2"), TRAM])
    assert rail_then_tram.total == Money(600, "EUR")  # 5.00 + the 1.00 of the rule with an empty from group


def test_a_leg_whose_rule_has_no_leg_group_takes_no_transfer(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, ",,-1,,,0,")
    assert engine.price([BUS, TRAM]).total == Money(200, "EUR")
    assert engine.price([ItineraryLeg("shuttle", "S1", "S2"), TRAM]).total == Money(400, "EUR")


def test_chained_transfers_add_to_the_cost_so_far(tmp_path: Path) -> None:
    price = engine_with(tmp_path, "bus,tram,,,,0,t_050\ntram,rail,,,,1,t_disc").price([BUS, TRAM, RAIL])
    assert price.total == Money(650, "EUR")  # (2.00 + 0.50) + (-1.00 + 5.00)
    assert bought(price) == [("bus_single", "2.00", (0,)), ("t_050", "0.50", (0, 1)),
                             ("t_disc", "-1.00", (1, 2)), ("rail_single", "5.00", (2,))]


def test_a_later_type_2_transfer_replaces_nothing_already_paid(tmp_path: Path) -> None:
    price = engine_with(tmp_path, "bus,tram,,,,0,t_050\ntram,rail,,,,2,t_300").price([BUS, TRAM, RAIL])
    assert price.total == Money(550, "EUR")  # S + BC = 2.50 + 3.00


def test_a_first_type_2_transfer_followed_by_type_0(tmp_path: Path) -> None:
    price = engine_with(tmp_path, "bus,tram,,,,2,combo\ntram,rail,,,,0,t_050").price([BUS, TRAM, RAIL])
    assert price.total == Money(500, "EUR")  # AB + BC
    assert bought(price) == [("combo", "4.50", (0, 1)), ("t_050", "0.50", (1, 2))]
