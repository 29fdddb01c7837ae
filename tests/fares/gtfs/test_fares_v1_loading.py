"""Loading and validating fare_attributes.txt and fare_rules.txt (GTFS Fares v1).

The feed: agencies BUS and RAIL; stops A, B (zone 1), C (zone 2), D (zone 3);
routes BUS1, BUS2 (BUS) and RAIL1 (RAIL).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from core.money import Money
from fares.gtfs.basics import load_basics
from fares.gtfs.fares_v1 import FareAttribute, FareRule, FaresV1, load_fares_v1
from fares.gtfs.reader import read_feed
from fares.validation import Problems

AGENCIES = """agency_id,agency_name,agency_url,agency_timezone
BUS,City Bus,https://bus.example,Europe/Berlin
RAIL,Regional Rail,https://rail.example,Europe/Berlin
"""
ONE_AGENCY = """agency_id,agency_name,agency_url,agency_timezone
BUS,City Bus,https://bus.example,Europe/Berlin
"""
STOPS = """stop_id,stop_name,stop_lat,stop_lon,zone_id
A,Alte Muehle,50.0,8.0,1
B,Bahnhofstrasse,50.0,8.1,1
C,Center,50.0,8.2,2
D,Dorf,50.0,8.3,3
"""
ROUTES = """route_id,agency_id,route_short_name,route_long_name,route_type
BUS1,BUS,1,,3
BUS2,BUS,2,,3
RAIL1,RAIL,R1,,2
"""
ONE_AGENCY_ROUTES = """route_id,agency_id,route_short_name,route_long_name,route_type
BUS1,BUS,1,,3
BUS2,BUS,2,,3
"""
ATTRIBUTES_HEADER = "fare_id,price,currency_type,payment_method,transfers,agency_id,transfer_duration\n"


def load(tmp_path: Path, files: dict[str, str], one_agency: bool = False) -> tuple[FaresV1 | None, Problems]:
    base = {"agency.txt": ONE_AGENCY if one_agency else AGENCIES, "stops.txt": STOPS,
            "routes.txt": ONE_AGENCY_ROUTES if one_agency else ROUTES}
    for name, text in {**base, **files}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    problems = Problems()
    raw = read_feed(tmp_path, problems=problems)
    basics = load_basics(raw, problems)
    assert not problems.items, problems.items  # the base feed itself is valid
    return load_fares_v1(raw, basics, problems), problems


def test_a_feed_without_fare_attributes_has_no_fares_v1(tmp_path: Path) -> None:
    data, problems = load(tmp_path, {})
    assert data is None
    assert problems.items == []


def test_fare_rules_without_fare_attributes_is_a_problem(tmp_path: Path) -> None:
    data, problems = load(tmp_path, {"fare_rules.txt": "fare_id,route_id\nbus,BUS1\n"})
    assert data is None
    assert problems.items == [{"file": "fare_rules.txt", "line": None, "field": None,
                               "message": "fare_rules.txt refers to fare_attributes.txt, which the feed lacks"}]


def test_fare_attributes_load_into_exact_values(tmp_path: Path) -> None:
    data, problems = load(tmp_path, {"fare_attributes.txt": ATTRIBUTES_HEADER
                                     + "day,4.7,EUR,1,,BUS,7200\nsingle,2,EUR,0,0,RAIL,\n"})
    assert problems.items == []
    assert data is not None
    assert data.currency == "EUR"
    assert data.fares["day"].attribute == FareAttribute("day", Money(470, "EUR"), 1, None, "BUS", 7200, 2)
    assert data.fares["single"].attribute == FareAttribute("single", Money(200, "EUR"), 0, 0, "RAIL", None, 3)


def test_the_price_uses_the_minor_units_of_the_currency(tmp_path: Path) -> None:
    data, problems = load(tmp_path, {"fare_attributes.txt": ATTRIBUTES_HEADER + "t,250,JPY,0,0,BUS,\n"})
    assert problems.items == []
    assert data is not None and data.fares["t"].price == Money(250, "JPY")


def test_agency_id_may_be_left_out_when_the_feed_has_one_agency(tmp_path: Path) -> None:
    data, problems = load(tmp_path, {"fare_attributes.txt": ATTRIBUTES_HEADER + "t,2.00,EUR,0,0,,\n"},
                          one_agency=True)
    assert problems.items == []
    assert data is not None and data.fares["t"].attribute.agency_id is None


@pytest.mark.parametrize(("row", "field", "message"), [
    ("t,,EUR,0,0,BUS,", "price", "not a non-negative amount like 2.50"),
    ("t,-1,EUR,0,0,BUS,", "price", "not a non-negative amount like 2.50"),
    ("t,2 EUR,EUR,0,0,BUS,", "price", "not a non-negative amount like 2.50"),
    ("t,1.234,EUR,0,0,BUS,", "price", "'1.234' has more than 2 decimals for EUR"),
    ("t,2,eur,0,0,BUS,", "currency_type", "not an ISO 4217 currency code like EUR"),
    ("t,2,EUR,2,0,BUS,", "payment_method", "must be 0 (paid on board) or 1 (paid before boarding)"),
    ("t,2,EUR,,0,BUS,", "payment_method", "must be 0 (paid on board) or 1 (paid before boarding)"),
    ("t,2,EUR,0,3,BUS,", "transfers", "must be 0, 1, 2 or empty (unlimited transfers)"),
    ("t,2,EUR,0,-1,BUS,", "transfers", "must be 0, 1, 2 or empty (unlimited transfers)"),
    ("t,2,EUR,0,0,BUS,1.5", "transfer_duration", "not a non-negative whole number of seconds"),
    ("t,2,EUR,0,0,BUS,-60", "transfer_duration", "not a non-negative whole number of seconds"),
    ("t,2,EUR,0,0,,", "agency_id", "required when agency.txt defines several agencies"),
    ("t,2,EUR,0,0,TRAM,", "agency_id", "unknown agency_id 'TRAM'"),
    (",2,EUR,0,0,BUS,", "fare_id", "must not be empty"),
])
def test_a_bad_fare_attribute_is_reported_with_line_and_field_and_left_out(
        tmp_path: Path, row: str, field: str, message: str) -> None:
    data, problems = load(tmp_path, {"fare_attributes.txt": ATTRIBUTES_HEADER + "ok,1,EUR,0,0,BUS,\n" + row + "\n"})
    assert problems.items == [{"file": "fare_attributes.txt", "line": 3, "field": field, "message": message}]
    assert data is not None and sorted(data.fares) == ["ok"]


def test_a_missing_transfers_column_is_reported_on_every_row(tmp_path: Path) -> None:
    data, problems = load(tmp_path, {"fare_attributes.txt": "fare_id,price,currency_type,payment_method,agency_id\n"
                                                            "a,1,EUR,0,BUS\nb,2,EUR,0,BUS\n"})
    message = "the column is required; leave the value empty for unlimited transfers"
    assert problems.items == [
        {"file": "fare_attributes.txt", "line": 2, "field": "transfers", "message": message},
        {"file": "fare_attributes.txt", "line": 3, "field": "transfers", "message": message},
    ]
    assert data is not None and dict(data.fares) == {}


def test_a_duplicate_fare_id_is_reported_and_the_first_row_kept(tmp_path: Path) -> None:
    data, problems = load(tmp_path, {"fare_attributes.txt": ATTRIBUTES_HEADER
                                     + "t,1,EUR,0,0,BUS,\nt,9,EUR,0,0,BUS,\n"})
    assert problems.items == [{"file": "fare_attributes.txt", "line": 3, "field": "fare_id",
                               "message": "duplicate fare_id 't' (first on line 2)"}]
    assert data is not None and data.fares["t"].price == Money(100, "EUR")


def test_fares_in_a_second_currency_are_reported_and_left_out(tmp_path: Path) -> None:
    data, problems = load(tmp_path, {"fare_attributes.txt": ATTRIBUTES_HEADER
                                     + "a,1,EUR,0,0,BUS,\nb,1,CHF,0,0,BUS,\n"})
    assert problems.items == [{"file": "fare_attributes.txt", "line": 3, "field": "currency_type",
                               "message": "all fares must share one currency: line 2 uses EUR"}]
    assert data is not None and data.currency == "EUR" and sorted(data.fares) == ["a"]


def test_a_fare_attributes_file_without_rows_is_reported(tmp_path: Path) -> None:
    data, problems = load(tmp_path, {"fare_attributes.txt": ATTRIBUTES_HEADER})
    assert problems.items == [{"file": "fare_attributes.txt", "line": None, "field": None,
                               "message": "the file holds no fare"}]
    assert data is not None and data.currency == "XXX" and dict(data.fares) == {}


RULES_HEADER = "fare_id,route_id,origin_id,destination_id,contains_id\n"
TWO_FARES = ATTRIBUTES_HEADER + "bus,2,EUR,0,1,BUS,\nrail,3,EUR,0,0,RAIL,\n"


def test_fare_rules_load_and_gather_per_fare(tmp_path: Path) -> None:
    data, problems = load(tmp_path, {"fare_attributes.txt": TWO_FARES, "fare_rules.txt": RULES_HEADER
                                     + "bus,BUS1,,,\nbus,BUS2,1,2,\nbus,,2,,\nrail,RAIL1,,,1\nrail,RAIL1,,,2\n"})
    assert problems.items == []
    assert data is not None
    bus, rail = data.fares["bus"], data.fares["rail"]
    assert bus.rules == (FareRule("bus", "BUS1", None, None, None, 2), FareRule("bus", "BUS2", "1", "2", None, 3),
                         FareRule("bus", None, "2", None, None, 4))
    assert bus.routes == {"BUS1", "BUS2"}
    assert bus.origin_destinations == {("1", "2"), ("2", None)}
    assert bus.contains == frozenset()
    assert rail.routes == {"RAIL1"} and rail.origin_destinations == frozenset() and rail.contains == {"1", "2"}


def test_fares_are_indexed_by_route_and_by_origin_destination(tmp_path: Path) -> None:
    data, _ = load(tmp_path, {"fare_attributes.txt": TWO_FARES + "any,5,EUR,0,,BUS,\n",
                              "fare_rules.txt": RULES_HEADER + "bus,BUS1,,,\nbus,BUS2,1,2,\nrail,,1,,\n"})
    assert data is not None
    assert dict(data.by_route) == {"BUS1": {"bus"}, "BUS2": {"bus"}}
    assert data.any_route == {"rail", "any"}
    assert dict(data.by_origin_destination) == {("1", "2"): {"bus"}, ("1", None): {"rail"}}
    assert data.any_origin_destination == {"any"}


@pytest.mark.parametrize(("row", "field", "message"), [
    ("tram,BUS1,,,", "fare_id", "unknown fare_id 'tram'"),
    (",BUS1,,,", "fare_id", "must not be empty"),
    ("bus,TRAM7,,,", "route_id", "unknown route_id 'TRAM7'"),
    ("bus,,7,,", "origin_id", "no stop has zone_id '7'"),
    ("bus,,,7,", "destination_id", "no stop has zone_id '7'"),
    ("bus,,,,7", "contains_id", "no stop has zone_id '7'"),
    ("bus,BUS1,,,", None, "the same rule as line 2"),
])
def test_a_bad_fare_rule_is_reported_with_line_and_field_and_left_out(
        tmp_path: Path, row: str, field: str | None, message: str) -> None:
    data, problems = load(tmp_path, {"fare_attributes.txt": TWO_FARES,
                                     "fare_rules.txt": RULES_HEADER + "bus,BUS1,,,\n" + row + "\n"})
    assert problems.items == [{"file": "fare_rules.txt", "line": 3, "field": field, "message": message}]
    assert data is not None
    assert data.fares["bus"].rules == (FareRule("bus", "BUS1", None, None, None, 2),)


def test_a_rule_of_an_invalid_fare_is_not_also_called_unknown(tmp_path: Path) -> None:
    data, problems = load(tmp_path, {"fare_attributes.txt": ATTRIBUTES_HEADER + "bus,x,EUR,0,0,BUS,\n",
                                     "fare_rules.txt": RULES_HEADER + "bus,BUS1,,,\n"})
    assert problems.items == [{"file": "fare_attributes.txt", "line": 2, "field": "price",
                               "message": "not a non-negative amount like 2.50"}]
    assert data is not None and dict(data.fares) == {}
