"""Loading the Fares v2 files of a valid feed into plain values."""
from __future__ import annotations

import textwrap
import zipfile
from pathlib import Path

from fares.gtfs.basics import load_basics
from fares.gtfs.fares_v2 import FaresV2, load_fares_v2, read_fares_v2
from fares.gtfs.fares_v2.model import FareLegJoinRule, FareTransferRule, ProductRow, RiderCategory, Timeframe
from fares.gtfs.reader import read_feed
from fares.validation import Problems

BASICS = {
    "agency.txt": """
        agency_id,agency_name,agency_url,agency_timezone
        ag1,City Bus,https://bus.example,America/New_York
    """,
    "stops.txt": """
        stop_id,stop_name,location_type,parent_station
        s1,One,0,
        s2,Two,0,
    """,
    "routes.txt": """
        route_id,agency_id,route_short_name,route_type
        r1,ag1,1,3
        r2,ag1,2,3
    """,
    "calendar.txt": """
        service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date
        weekdays,1,1,1,1,1,0,0,20260101,20261231
    """,
}

FARES = {
    "rider_categories.txt": """
        rider_category_id,rider_category_name,is_default_fare_category,eligibility_url
        adult,Adult,1,
        child,Child,,https://bus.example/child
    """,
    "fare_media.txt": """
        fare_media_id,fare_media_name,fare_media_type
        cash,Cash,0
        card,Smart card,2
    """,
    "fare_products.txt": """
        fare_product_id,fare_product_name,rider_category_id,fare_media_id,amount,currency
        single,Single ride,adult,cash,2.50,USD
        single,Single ride,adult,card,2.2,USD
        single,Single ride,child,card,1.10,USD
        transfer,Transfer,,,0,USD
    """,
    "areas.txt": """
        area_id,area_name
        north,North
        south,
    """,
    "stop_areas.txt": """
        area_id,stop_id
        north,s1
        south,s1
        south,s2
    """,
    "networks.txt": """
        network_id,network_name
        bus,Buses
    """,
    "route_networks.txt": """
        network_id,route_id
        bus,r1
    """,
    "timeframes.txt": """
        timeframe_group_id,start_time,end_time,service_id
        peak,7:00:00,09:30:00,weekdays
        evening,18:00:00,24:00:00,weekdays
        all_day,,,weekdays
    """,
    "fare_leg_rules.txt": """
        leg_group_id,network_id,from_area_id,to_area_id,from_timeframe_group_id,to_timeframe_group_id,fare_product_id
        local,bus,north,south,peak,,single
        ,,,,,,single
    """,
    "fare_leg_join_rules.txt": """
        from_network_id,to_network_id,from_stop_id,to_stop_id
        bus,bus,,
        bus,bus,s1,s2
    """,
    "fare_transfer_rules.txt": """
        from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,fare_transfer_type,fare_product_id
        local,local,-1,5400,1,0,transfer
        local,,,,,2,
    """,
}


def write_feed(folder: Path, *file_sets: dict[str, str]) -> Path:
    for files in file_sets:
        for name, text in files.items():
            (folder / name).write_text(textwrap.dedent(text).strip() + "\n")
    return folder


def load(folder: Path) -> tuple[FaresV2 | None, Problems]:
    problems = Problems()
    _, fares = read_fares_v2(folder, problems)
    return fares, problems


def test_a_feed_without_fare_products_or_leg_rules_has_no_fares_v2(tmp_path: Path) -> None:
    raw = read_feed(write_feed(tmp_path, BASICS, {"areas.txt": "area_id\nnorth\n"}))
    problems = Problems()
    assert load_fares_v2(raw, load_basics(raw, problems), problems) is None
    assert not problems


def test_a_valid_feed_loads_without_problems(tmp_path: Path) -> None:
    fares, problems = load(write_feed(tmp_path, BASICS, FARES))
    assert problems.items == []
    assert fares is not None
    assert fares.currency == "USD"
    assert fares.rule_priority is False


def test_a_product_keeps_one_row_per_rider_category_and_fare_media_in_minor_units(tmp_path: Path) -> None:
    fares, _ = load(write_feed(tmp_path, BASICS, FARES))
    assert fares is not None
    assert fares.products["single"] == (
        ProductRow("single", "Single ride", "adult", "cash", 250, 2),
        ProductRow("single", "Single ride", "adult", "card", 220, 3),
        ProductRow("single", "Single ride", "child", "card", 110, 4),
    )
    assert fares.products["transfer"] == (ProductRow("transfer", "Transfer", None, None, 0, 5),)


def test_amounts_use_the_decimals_of_their_currency(tmp_path: Path) -> None:
    products = {"fare_products.txt": """
        fare_product_id,fare_product_name,amount,currency
        ticket,Ticket,210,JPY
    """, "fare_leg_rules.txt": "fare_product_id\nticket\n"}
    fares, problems = load(write_feed(tmp_path, BASICS, products))
    assert problems.items == []
    assert fares is not None
    assert fares.currency == "JPY"
    assert fares.products["ticket"][0].amount == 210


def test_rider_categories_know_their_default(tmp_path: Path) -> None:
    fares, _ = load(write_feed(tmp_path, BASICS, FARES))
    assert fares is not None
    assert fares.rider_categories["child"] == RiderCategory("child", "Child", False, "https://bus.example/child")
    assert fares.default_rider_category == "adult"


def test_stop_areas_may_put_a_stop_in_several_areas(tmp_path: Path) -> None:
    fares, _ = load(write_feed(tmp_path, BASICS, FARES))
    assert fares is not None
    assert fares.stop_areas == {"s1": frozenset({"north", "south"}), "s2": frozenset({"south"})}
    assert fares.areas == {"north": "North", "south": None}


def test_route_networks_assign_routes_to_networks(tmp_path: Path) -> None:
    fares, _ = load(write_feed(tmp_path, BASICS, FARES))
    assert fares is not None
    assert fares.networks == {"bus": "Buses"}
    assert fares.route_networks == {"r1": "bus"}


def test_routes_network_id_assigns_routes_to_networks_without_networks_txt(tmp_path: Path) -> None:
    routes = {"routes.txt": """
        route_id,agency_id,route_short_name,route_type,network_id
        r1,ag1,1,3,bus
        r2,ag1,2,3,
    """}
    fares_files = {k: v for k, v in FARES.items() if k not in ("networks.txt", "route_networks.txt")}
    fares, problems = load(write_feed(tmp_path, BASICS, fares_files, routes))
    assert problems.items == []
    assert fares is not None
    assert fares.route_networks == {"r1": "bus"}


def test_timeframes_are_seconds_with_empty_times_meaning_the_whole_day(tmp_path: Path) -> None:
    fares, _ = load(write_feed(tmp_path, BASICS, FARES))
    assert fares is not None
    assert fares.timeframes["peak"] == (Timeframe("peak", 7 * 3600, 9 * 3600 + 1800, "weekdays", 2),)
    assert fares.timeframes["evening"] == (Timeframe("evening", 18 * 3600, 24 * 3600, "weekdays", 3),)
    assert fares.timeframes["all_day"] == (Timeframe("all_day", 0, 24 * 3600, "weekdays", 4),)


def test_leg_rules_keep_their_fields_and_line(tmp_path: Path) -> None:
    fares, _ = load(write_feed(tmp_path, BASICS, FARES))
    assert fares is not None
    first, catch_all = fares.leg_rules
    assert (first.leg_group_id, first.network_id, first.from_area_id, first.to_area_id,
            first.from_timeframe_group_id, first.fare_product_id, first.id) == (
        "local", "bus", "north", "south", "peak", "single", "fare_leg_rules.txt:2")
    assert (catch_all.network_id, catch_all.from_area_id, catch_all.rule_priority) == (None, None, 0)


def test_join_and_transfer_rules_load_with_their_conditions(tmp_path: Path) -> None:
    fares, _ = load(write_feed(tmp_path, BASICS, FARES))
    assert fares is not None
    assert fares.join_rules == (FareLegJoinRule("bus", "bus", None, None, 2),
                                FareLegJoinRule("bus", "bus", "s1", "s2", 3))
    assert fares.transfer_rules == (
        FareTransferRule("local", "local", -1, 5400, 1, 0, "transfer", 2),
        FareTransferRule("local", None, None, None, None, 2, None, 3),
    )


def test_a_rule_priority_column_switches_the_empty_field_semantics_even_when_empty(tmp_path: Path) -> None:
    rules = {"fare_leg_rules.txt": """
        leg_group_id,network_id,from_area_id,to_area_id,fare_product_id,rule_priority
        local,,,,single,
    """}
    fares, problems = load(write_feed(tmp_path, BASICS, FARES, rules))
    assert problems.items == []
    assert fares is not None
    assert fares.rule_priority is True


def test_a_zipped_feed_loads_like_a_folder(tmp_path: Path) -> None:
    (tmp_path / "feed").mkdir()
    folder = write_feed(tmp_path / "feed", BASICS, FARES)
    archive = tmp_path / "feed.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in folder.iterdir():
            zipped.write(file, f"gtfs/{file.name}")
    fares, problems = load(archive)
    assert problems.items == []
    assert fares is not None
    assert len(fares.leg_rules) == 2
