"""Validation of native tariff packages: every problem is ``{file, line, field, message}``."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from core.errors import ValidationFailed
from fares.native.schema import load_native_package
from fares.tariff import ZoneTariff
from tests.fares.package_problems import refused

DEMO_TARIFF = Path(__file__).resolve().parents[2] / "webapp" / "demo" / "data" / "tariff.json"

GOOD: dict[str, Any] = {
    "format": "farebridge-native",
    "format_version": 1,
    "name": "Testverbund 2026",
    "currency": "EUR",
    "valid_from": "2026-01-01",
    "valid_to": "2026-12-31",
    "rider_categories": [
        {"id": "adult", "name": "Adult", "is_default": True},
        {"id": "child", "factor": "0.5"},
    ],
    "zone_fares": [
        {"zones": 1, "amount": "2.10"},
        {"zones": 2, "amount": "3.30"},
        {"zones": 3, "amount": "4.70"},
    ],
}


def package(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    data.update(changes)
    return data


def problems(data: dict[str, Any] | str, filename: str = "tariff.json") -> list[dict[str, Any]]:
    return refused(load_native_package, data, filename)


def fields_and_messages(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["field"], p["message"]) for p in problems(data)]


# --- good packages ------------------------------------------------------------------


def test_a_good_package_loads_with_defaults_filled_in():
    loaded = load_native_package(json.dumps(GOOD), "tariff.json")

    assert loaded["name"] == "Testverbund 2026"
    assert loaded["currency"] == "EUR"
    assert loaded["valid_from"] == "2026-01-01"
    assert loaded["valid_to"] == "2026-12-31"
    assert loaded["rider_categories"] == [
        {"id": "adult", "name": "Adult", "is_default": True, "factor": "1"},
        {"id": "child", "name": None, "is_default": False, "factor": "0.5"},
    ]
    assert loaded["zone_fares"] == GOOD["zone_fares"]
    assert loaded["apportionment"] == {"method": "standalone_fares"}


def test_a_loaded_package_builds_a_tariff():
    tariff = ZoneTariff.from_package(load_native_package(json.dumps(GOOD), "tariff.json"))

    assert tariff.zone_fares == (210, 330, 470)
    assert [(c.id, c.name, c.is_default) for c in tariff.rider_categories] == [
        ("adult", "Adult", True),
        ("child", "child", False),
    ]


def test_amounts_written_as_json_numbers_stay_exact():
    text = json.dumps(package(zone_fares=[{"zones": 1, "amount": "X"}])).replace('"X"', "2.90")

    loaded = load_native_package(text, "tariff.json")

    assert loaded["zone_fares"] == [{"zones": 1, "amount": "2.90"}]


def test_an_open_ended_package_has_no_valid_to():
    assert load_native_package(json.dumps(package(valid_to=None)), "t.json")["valid_to"] is None


def test_a_currency_without_minor_units_takes_whole_amounts():
    data = package(currency="JPY", zone_fares=[{"zones": 1, "amount": "210"}])

    assert ZoneTariff.from_package(load_native_package(json.dumps(data), "t.json")).zone_fares == (210,)


def test_the_demo_tariff_loads():
    loaded = load_native_package(DEMO_TARIFF.read_text(encoding="utf-8"), "tariff.json")

    assert ZoneTariff.from_package(loaded).zone_fares == (290, 370, 480, 590, 710, 820)


# --- JSON ---------------------------------------------------------------------------


def test_a_json_syntax_error_carries_its_line():
    text = '{\n  "format": "farebridge-native",\n  "format_version": 1\n  "name": "x"\n}\n'

    (problem,) = problems(text, "broken.json")

    assert problem == {"file": "broken.json", "line": 4, "field": None, "message": "Expecting ',' delimiter"}


def test_a_package_that_is_not_an_object_is_refused_at_line_one():
    (problem,) = problems("[1, 2]")

    assert problem == {"file": "tariff.json", "line": 1, "field": None, "message": "expected an object"}


def test_a_missing_field_points_at_the_object_that_lacks_it():
    data = package()
    del data["name"]

    (problem,) = problems(data)

    assert problem == {"file": "tariff.json", "line": 1, "field": "name", "message": "Missing data for required field."}


def test_a_bad_value_points_at_its_own_line():
    text = """{
  "format": "farebridge-native",
  "format_version": 1,
  "name": "Lines",
  "currency": "EUR",
  "valid_from": "2026-01-01",
  "rider_categories": [{"id": "adult", "is_default": true}],
  "zone_fares": [
    {"zones": 1, "amount": "2.90"},
    {"zones": 2,
     "amount": "3.705"}
  ]
}"""
    (problem,) = problems(text)

    assert problem["line"] == 11  # the line of "amount" in the second row
    assert problem["field"] == "zone_fares[1].amount"


def test_the_summary_counts_the_problems():
    data = package(format="other", format_version=2)

    with pytest.raises(ValidationFailed) as caught:
        load_native_package(json.dumps(data), "t.json")

    assert caught.value.message == "t.json: 2 problem(s) in the tariff package"
    assert sorted(p["field"] for p in caught.value.details) == ["format", "format_version"]


# --- rider categories ---------------------------------------------------------------

DEFAULT_MESSAGE = "exactly one rider category must be the default (is_default: true)"


def test_a_package_without_a_default_rider_category_is_refused():
    data = package(rider_categories=[{"id": "adult"}, {"id": "child", "factor": "0.5"}])

    assert fields_and_messages(data) == [("rider_categories", DEFAULT_MESSAGE)]


def test_a_package_with_two_default_rider_categories_is_refused():
    data = package(rider_categories=[{"id": "adult", "is_default": True}, {"id": "child", "is_default": True}])

    assert fields_and_messages(data) == [("rider_categories", DEFAULT_MESSAGE)]


def test_duplicate_rider_category_ids_are_refused():
    data = package(rider_categories=[{"id": "adult", "is_default": True}, {"id": "adult", "factor": "0.5"}])

    assert fields_and_messages(data) == [("rider_categories", "rider category ids must be unique")]


def test_a_factor_must_be_a_plain_decimal():
    data = package(rider_categories=[{"id": "adult", "is_default": True, "factor": "1/2"}])

    assert fields_and_messages(data) == [("rider_categories[0].factor", "not a factor like 0.5")]


# --- zone fares ---------------------------------------------------------------------

GAP_MESSAGE = "zone counts must be 1, 2, ... without gaps or repeats"


@pytest.mark.parametrize("zones", [[1, 3], [2, 3], [1, 1, 2]])
def test_zone_counts_with_gaps_or_repeats_are_refused(zones):
    data = package(zone_fares=[{"zones": n, "amount": "2.00"} for n in zones])

    assert fields_and_messages(data) == [("zone_fares", GAP_MESSAGE)]


def test_zone_counts_may_be_listed_in_any_order():
    data = package(zone_fares=[{"zones": 2, "amount": "3.30"}, {"zones": 1, "amount": "2.10"}])

    assert ZoneTariff.from_package(load_native_package(json.dumps(data), "t.json")).zone_fares == (210, 330)


def test_an_amount_with_more_decimals_than_the_currency_is_refused():
    data = package(zone_fares=[{"zones": 1, "amount": "2.10"}, {"zones": 2, "amount": "3.305"}])

    assert fields_and_messages(data) == [("zone_fares[1].amount", "'3.305' has more than 2 decimals for EUR")]


def test_a_yen_amount_with_decimals_is_refused():
    data = package(currency="JPY", zone_fares=[{"zones": 1, "amount": "210.5"}])

    assert fields_and_messages(data) == [("zone_fares[0].amount", "'210.5' has more than 0 decimals for JPY")]


def test_a_gap_and_a_bad_amount_are_both_reported():
    data = package(zone_fares=[{"zones": 1, "amount": "2.10"}, {"zones": 3, "amount": "3.305"}])

    assert fields_and_messages(data) == [
        ("zone_fares", GAP_MESSAGE),
        ("zone_fares[1].amount", "'3.305' has more than 2 decimals for EUR"),
    ]


@pytest.mark.parametrize("amount", ["2,90", "-1.00", "2.9000", "EUR 2"])
def test_an_amount_must_look_like_an_amount(amount):
    data = package(zone_fares=[{"zones": 1, "amount": amount}])

    assert fields_and_messages(data) == [("zone_fares[0].amount", "not an amount like 2.90")]


def test_a_zone_count_must_be_a_whole_number_from_1_to_99():
    data = package(zone_fares=[{"zones": 1, "amount": "2.10"}, {"zones": 100, "amount": "3.30"}])

    assert [p["field"] for p in problems(data)] == ["zone_fares[1].zones"]


# --- currency and validity -----------------------------------------------------------


@pytest.mark.parametrize("currency", ["eur", "EURO", "E1R", ""])
def test_a_bad_currency_is_refused(currency):
    assert fields_and_messages(package(currency=currency)) == [
        ("currency", "not an ISO 4217 currency code like EUR")
    ]


def test_valid_to_before_valid_from_is_refused():
    data = package(valid_from="2026-06-01", valid_to="2026-05-31")

    assert fields_and_messages(data) == [("valid_to", "valid_to is before valid_from")]


def test_a_one_day_validity_is_accepted():
    data = package(valid_from="2026-06-01", valid_to="2026-06-01")

    assert load_native_package(json.dumps(data), "t.json")["valid_to"] == "2026-06-01"


def test_cross_checks_report_every_problem_at_once():
    data = package(
        valid_from="2026-06-01",
        valid_to="2026-01-01",
        rider_categories=[{"id": "adult", "is_default": True}, {"id": "adult"}],
        zone_fares=[{"zones": 2, "amount": "3.30"}],
    )

    assert sorted(fields_and_messages(data)) == [
        ("rider_categories", "rider category ids must be unique"),
        ("valid_to", "valid_to is before valid_from"),
        ("zone_fares", GAP_MESSAGE),
    ]
