"""Validation: every problem names file, line, field and reason; the valid rows still load."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fares.gtfs.fares_v2 import read_fares_v2
from fares.validation import Problems

VALID = {
    "agency.txt": """
        agency_id,agency_name,agency_url,agency_timezone
        ag1,City Bus,https://bus.example,America/New_York
    """,
    "stops.txt": """
        stop_id,stop_name,location_type,parent_station
        st,Station,1,
        s1,One,0,st
        s2,Two,0,
        door,Entrance,2,st
    """,
    "routes.txt": """
        route_id,agency_id,route_short_name,route_type
        r1,ag1,1,3
        r2,ag1,2,3
    """,
    "calendar.txt": """
        service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date
        weekdays,1,1,1,1,1,0,0,20260101,20261231
        weekend,0,0,0,0,0,1,1,20260101,20261231
    """,
    "rider_categories.txt": """
        rider_category_id,rider_category_name,is_default_fare_category
        adult,Adult,1
        child,Child,0
        senior,Senior,
    """,
    "fare_media.txt": """
        fare_media_id,fare_media_name,fare_media_type
        card,Card,2
    """,
    "fare_products.txt": """
        fare_product_id,fare_product_name,rider_category_id,fare_media_id,amount,currency
        single,Single,adult,card,2.50,USD
        single,Single,child,,1.25,USD
    """,
    "areas.txt": """
        area_id,area_name
        north,North
    """,
    "stop_areas.txt": """
        area_id,stop_id
        north,s1
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
        peak,07:00:00,09:00:00,weekdays
        peak,16:00:00,18:00:00,weekdays
        peak,08:00:00,10:00:00,weekend
    """,
    "fare_leg_rules.txt": """
        leg_group_id,network_id,from_area_id,to_area_id,from_timeframe_group_id,to_timeframe_group_id,fare_product_id,rule_priority
        local,bus,north,north,peak,,single,1
    """,
    "fare_leg_join_rules.txt": """
        from_network_id,to_network_id,from_stop_id,to_stop_id
        bus,bus,st,s2
    """,
    "fare_transfer_rules.txt": """
        from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,fare_transfer_type,fare_product_id
        local,local,2,3600,0,0,single
    """,
}


def problems_of(tmp_path: Path, **changes: str) -> list[tuple[str | None, int | None, str | None, str]]:
    files = {**VALID, **{name.replace("_txt", ".txt"): text for name, text in changes.items()}}
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).strip() + "\n")
    problems = Problems()
    read_fares_v2(tmp_path, problems)
    return [(p["file"], p["line"], p["field"], p["message"]) for p in problems.items]


def test_the_valid_feed_has_no_problems(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == []


PRODUCTS = "fare_product_id,fare_product_name,rider_category_id,fare_media_id,amount,currency\n"
LEG_RULES = ("leg_group_id,network_id,from_area_id,to_area_id,from_timeframe_group_id,to_timeframe_group_id,"
             "fare_product_id,rule_priority\n")
TRANSFERS = ("from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,"
             "fare_transfer_type,fare_product_id\n")
TIMEFRAMES = "timeframe_group_id,start_time,end_time,service_id\n"
JOINS = "from_network_id,to_network_id,from_stop_id,to_stop_id\n"

CASES = {
    "unknown fare media": (
        {"fare_products_txt": PRODUCTS + "single,Single,adult,paper,2.50,USD\nsingle,Single,child,,1,USD"},
        ("fare_products.txt", 2, "fare_media_id", "unknown fare_media_id 'paper'")),
    "unknown rider category": (
        {"fare_products_txt": PRODUCTS + "single,Single,adult,card,2.50,USD\nsingle,Single,student,,1,USD"},
        ("fare_products.txt", 3, "rider_category_id", "unknown rider_category_id 'student'")),
    "more decimals than the currency has": (
        {"fare_products_txt": PRODUCTS + "single,Single,adult,card,2.505,USD\nsingle,Single,child,,1,USD"},
        ("fare_products.txt", 2, "amount", "'2.505' has more than 2 decimals for USD")),
    "decimals for a currency without minor units": (
        {"fare_products_txt": "fare_product_id,amount,currency\nsingle,1.5,JPY"},
        ("fare_products.txt", 2, "amount", "'1.5' has more than 0 decimals for JPY")),
    "an amount that is not a number": (
        {"fare_products_txt": PRODUCTS + "single,Single,adult,card,two,USD\nsingle,Single,child,,1,USD"},
        ("fare_products.txt", 2, "amount", "not a decimal amount: 'two'")),
    "a currency that is not a code": (
        {"fare_products_txt": PRODUCTS + "single,Single,adult,card,2.50,usd\nsingle,Single,child,,1,USD"},
        ("fare_products.txt", 2, "currency", "not an ISO 4217 currency code: 'usd'")),
    "a second currency": (
        {"fare_products_txt": PRODUCTS + "single,Single,adult,card,2.50,USD\nsingle,Single,child,,1,CAD"},
        ("fare_products.txt", 3, "currency",
         "CAD differs from USD (line 2): the engine prices a tariff in one currency")),
    "the same product, category and media twice": (
        {"fare_products_txt": PRODUCTS + "single,Single,adult,card,2.50,USD\nsingle,Single,adult,card,2,USD"},
        ("fare_products.txt", 3, "fare_product_id", "duplicate primary key (single, adult, card), first on line 2")),
    "a product for several categories without their default": (
        {"fare_products_txt": PRODUCTS + "single,Single,child,card,2.50,USD\nsingle,Single,senior,,1,USD"},
        ("fare_products.txt", 2, "rider_category_id", "product 'single' is for rider categories child, senior: "
                                                      "exactly one of them must be the default, not 0")),
    "two default rider categories": (
        {"rider_categories_txt": "rider_category_id,rider_category_name,is_default_fare_category\n"
                                 "adult,Adult,1\nchild,Child,1\nsenior,Senior,0"},
        ("rider_categories.txt", 3, "is_default_fare_category",
         "a second default rider category (the first is on line 2)"),
        ("fare_products.txt", 2, "rider_category_id", "product 'single' is for rider categories adult, child: "
                                                      "exactly one of them must be the default, not 2")),
    "no default rider category": (
        {"rider_categories_txt": "rider_category_id,rider_category_name,is_default_fare_category\n"
                                 "adult,Adult,0\nchild,Child,0\nsenior,Senior,0",
         "fare_products_txt": PRODUCTS + "single,Single,,card,2.50,USD"},
        ("rider_categories.txt", None, "is_default_fare_category",
         "no rider category is marked as the default (is_default_fare_category=1)")),
    "a default flag out of its enum": (
        {"rider_categories_txt": "rider_category_id,rider_category_name,is_default_fare_category\n"
                                 "adult,Adult,1\nchild,Child,2\nsenior,Senior,"},
        ("rider_categories.txt", 3, "is_default_fare_category", "must be one of 0, 1")),
    "a fare media type out of its enum": (
        {"fare_media_txt": "fare_media_id,fare_media_name,fare_media_type\ncard,Card,7"},
        ("fare_media.txt", 2, "fare_media_type", "must be one of 0, 1, 2, 3, 4")),
    "a fare media without its type": (
        {"fare_media_txt": "fare_media_id,fare_media_name,fare_media_type\ncard,Card,"},
        ("fare_media.txt", 2, "fare_media_type", "this field is required")),
    "a leg rule with an unknown network": (
        {"fare_leg_rules_txt": LEG_RULES + "local,tram,north,north,peak,,single,1"},
        ("fare_leg_rules.txt", 2, "network_id", "unknown network_id 'tram'")),
    "a leg rule with an unknown area": (
        {"fare_leg_rules_txt": LEG_RULES + "local,bus,north,south,peak,,single,1"},
        ("fare_leg_rules.txt", 2, "to_area_id", "unknown area_id 'south'")),
    "a leg rule with an unknown timeframe group": (
        {"fare_leg_rules_txt": LEG_RULES + "local,bus,north,north,,night,single,1"},
        ("fare_leg_rules.txt", 2, "to_timeframe_group_id", "unknown timeframe_group_id 'night'")),
    "a leg rule with an unknown product": (
        {"fare_leg_rules_txt": LEG_RULES + "local,bus,north,north,peak,,day_pass,1"},
        ("fare_leg_rules.txt", 2, "fare_product_id", "unknown fare_product_id 'day_pass'")),
    "a negative rule priority": (
        {"fare_leg_rules_txt": LEG_RULES + "local,bus,north,north,peak,,single,-1"},
        ("fare_leg_rules.txt", 2, "rule_priority", "must not be negative")),
    "the same leg rule in two leg groups": (
        {"fare_leg_rules_txt": LEG_RULES + "local,bus,north,north,peak,,single,1\n"
                                           "other,bus,north,north,peak,,single,2"},
        ("fare_leg_rules.txt", 3, "fare_product_id",
         "duplicate primary key (bus, north, north, peak, , single), first on line 2")),
    "a stop area with an unknown area": (
        {"stop_areas_txt": "area_id,stop_id\nnorth,s1\nsouth,s2"},
        ("stop_areas.txt", 3, "area_id", "unknown area_id 'south'")),
    "a stop area with an unknown stop": (
        {"stop_areas_txt": "area_id,stop_id\nnorth,s1\nnorth,s9"},
        ("stop_areas.txt", 3, "stop_id", "unknown stop_id 's9'")),
    "a stop in the same area twice": (
        {"stop_areas_txt": "area_id,stop_id\nnorth,s1\nnorth,s1"},
        ("stop_areas.txt", 3, "stop_id", "duplicate primary key (north, s1), first on line 2")),
    "an area defined twice": (
        {"areas_txt": "area_id,area_name\nnorth,North\nnorth,Again"},
        ("areas.txt", 3, "area_id", "duplicate primary key (north), first on line 2")),
    "route networks beside routes.network_id": (
        {"routes_txt": "route_id,agency_id,route_short_name,route_type,network_id\nr1,ag1,1,3,bus\nr2,ag1,2,3,"},
        ("networks.txt", None, None, "networks.txt is forbidden because routes.txt has a network_id column"),
        ("route_networks.txt", None, None,
         "route_networks.txt is forbidden because routes.txt has a network_id column")),
    "a route network with an unknown network": (
        {"route_networks_txt": "network_id,route_id\nbus,r1\ntram,r2"},
        ("route_networks.txt", 3, "network_id", "unknown network_id 'tram'")),
    "a route network with an unknown route": (
        {"route_networks_txt": "network_id,route_id\nbus,r1\nbus,r9"},
        ("route_networks.txt", 3, "route_id", "unknown route_id 'r9'")),
    "a route in two networks": (
        {"networks_txt": "network_id\nbus\ntram", "route_networks_txt": "network_id,route_id\nbus,r1\ntram,r1"},
        ("route_networks.txt", 3, "route_id", "duplicate primary key (r1), first on line 2")),
    "a time that is not HH:MM:SS": (
        {"timeframes_txt": TIMEFRAMES + "peak,7:5:00,09:00:00,weekdays"},
        ("timeframes.txt", 2, "start_time", "not a time in HH:MM:SS form: '7:5:00'")),
    "a time after 24:00:00": (
        {"timeframes_txt": TIMEFRAMES + "peak,22:00:00,25:00:00,weekdays"},
        ("timeframes.txt", 2, "end_time", "25:00:00 is after 24:00:00, which timeframes forbid")),
    "a start time without an end time": (
        {"timeframes_txt": TIMEFRAMES + "peak,07:00:00,,weekdays"},
        ("timeframes.txt", 2, "end_time", "start_time and end_time are given together or not at all")),
    "an end time before the start time": (
        {"timeframes_txt": TIMEFRAMES + "peak,09:00:00,07:00:00,weekdays"},
        ("timeframes.txt", 2, "end_time", "end_time must be after start_time")),
    "a timeframe with an unknown service": (
        {"timeframes_txt": TIMEFRAMES + "peak,07:00:00,09:00:00,holidays"},
        ("timeframes.txt", 2, "service_id", "unknown service_id 'holidays'")),
    "a timeframe without a service": (
        {"timeframes_txt": TIMEFRAMES + "peak,07:00:00,09:00:00,"},
        ("timeframes.txt", 2, "service_id", "must not be empty")),
    "overlapping timeframes of a group on one service": (
        {"timeframes_txt": TIMEFRAMES + "peak,07:00:00,09:00:00,weekdays\npeak,08:59:59,10:00:00,weekdays\n"
                                        "peak,09:00:00,10:00:00,weekend"},
        ("timeframes.txt", 3, "start_time", "08:59:59-10:00:00 overlaps 07:00:00-09:00:00 (line 2) of timeframe "
                                            "group 'peak' for service 'weekdays'")),
    "a whole-day timeframe overlapping another": (
        {"timeframes_txt": TIMEFRAMES + "peak,07:00:00,09:00:00,weekdays\npeak,,,weekdays"},
        ("timeframes.txt", 2, "start_time", "07:00:00-09:00:00 overlaps 00:00:00-24:00:00 (line 3) of timeframe "
                                            "group 'peak' for service 'weekdays'")),
    "a join rule with an unknown network": (
        {"fare_leg_join_rules_txt": JOINS + "bus,ferry,,"},
        ("fare_leg_join_rules.txt", 2, "to_network_id", "unknown network_id 'ferry'")),
    "a join rule with an unknown stop": (
        {"fare_leg_join_rules_txt": JOINS + "bus,bus,st,s9"},
        ("fare_leg_join_rules.txt", 2, "to_stop_id", "unknown stop_id 's9'")),
    "a join rule with a from stop but no to stop": (
        {"fare_leg_join_rules_txt": JOINS + "bus,bus,st,"},
        ("fare_leg_join_rules.txt", 2, "to_stop_id", "from_stop_id and to_stop_id are given together or not at all")),
    "a join rule at a station entrance": (
        {"fare_leg_join_rules_txt": JOINS + "bus,bus,door,s2"},
        ("fare_leg_join_rules.txt", 2, "from_stop_id", "'door' must be a stop or a station (location_type 0 or 1)")),
    "a join rule without a network": (
        {"fare_leg_join_rules_txt": JOINS + ",bus,,"},
        ("fare_leg_join_rules.txt", 2, "from_network_id", "must not be empty")),
    "a transfer rule with an unknown leg group": (
        {"fare_transfer_rules_txt": TRANSFERS + "local,express,,,,0,"},
        ("fare_transfer_rules.txt", 2, "to_leg_group_id", "unknown leg_group_id 'express'")),
    "a transfer rule with an unknown product": (
        {"fare_transfer_rules_txt": TRANSFERS + "local,local,1,,,0,free_pass"},
        ("fare_transfer_rules.txt", 2, "fare_product_id", "unknown fare_product_id 'free_pass'")),
    "a transfer count between different leg groups": (
        {"fare_transfer_rules_txt": TRANSFERS + "local,,1,,,0,"},
        ("fare_transfer_rules.txt", 2, "transfer_count",
         "forbidden when from_leg_group_id differs from to_leg_group_id")),
    "no transfer count within one leg group": (
        {"fare_transfer_rules_txt": TRANSFERS + "local,local,,,,0,"},
        ("fare_transfer_rules.txt", 2, "transfer_count", "required when from_leg_group_id equals to_leg_group_id")),
    "a transfer count of zero": (
        {"fare_transfer_rules_txt": TRANSFERS + "local,local,0,,,0,"},
        ("fare_transfer_rules.txt", 2, "transfer_count", "must be -1 (no limit) or 1 or more")),
    "a duration limit without its type": (
        {"fare_transfer_rules_txt": TRANSFERS + "local,local,1,600,,0,"},
        ("fare_transfer_rules.txt", 2, "duration_limit_type", "required exactly when duration_limit is given")),
    "a duration limit type without a limit": (
        {"fare_transfer_rules_txt": TRANSFERS + "local,local,1,,2,0,"},
        ("fare_transfer_rules.txt", 2, "duration_limit_type", "required exactly when duration_limit is given")),
    "a duration limit of zero": (
        {"fare_transfer_rules_txt": TRANSFERS + "local,local,1,0,1,0,"},
        ("fare_transfer_rules.txt", 2, "duration_limit", "must be a positive number of seconds")),
    "a duration limit that is not an integer": (
        {"fare_transfer_rules_txt": TRANSFERS + "local,local,1,1.5,1,0,"},
        ("fare_transfer_rules.txt", 2, "duration_limit", "not an integer: '1.5'")),
    "a fare transfer type out of its enum": (
        {"fare_transfer_rules_txt": TRANSFERS + "local,local,1,,,3,"},
        ("fare_transfer_rules.txt", 2, "fare_transfer_type", "must be one of 0, 1, 2")),
    "a transfer rule without its fare transfer type": (
        {"fare_transfer_rules_txt": TRANSFERS + "local,local,1,,,,"},
        ("fare_transfer_rules.txt", 2, "fare_transfer_type", "this field is required")),
}


@pytest.mark.parametrize("changes, expected", [(case[0], case[1:]) for case in CASES.values()], ids=list(CASES))
def test_each_problem_names_file_line_field_and_reason(
        tmp_path: Path, changes: dict[str, str], expected: tuple[tuple[str | None, int | None, str | None, str], ...]
) -> None:
    assert problems_of(tmp_path, **changes) == list(expected)


def test_a_missing_required_column_is_reported_on_every_row(tmp_path: Path) -> None:
    assert problems_of(tmp_path, fare_products_txt="fare_product_id,amount\nsingle,2.50\nsingle,1") == [
        ("fare_products.txt", 2, "currency", "Missing data for required field."),
        ("fare_products.txt", 3, "currency", "Missing data for required field."),
    ]
