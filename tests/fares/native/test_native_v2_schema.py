"""Validation of format-2 packages: every problem at once, as ``{file, line, field, message}``."""
from __future__ import annotations

import copy
import json
from fractions import Fraction
from typing import Any

from fares.native.schema import load_native_package
from fares.native.v2 import load_native_v2, validate_native_v2
from tests.fares.package_problems import refused

GOOD: dict[str, Any] = {
    "format": "farebridge-native",
    "format_version": 2,
    "name": "Testverbund",
    "currency": "EUR",
    "timezone": "Europe/Berlin",
    "valid_from": "2026-01-01",
    "rider_categories": [
        {"id": "adult", "is_default": True},
        {"id": "child", "discount": {"factor": "0.5"}},
    ],
    "time_bands": [{"id": "peak", "periods": [{"days": ["mon"], "start": "07:00", "end": "09:00"}]}],
    "products": [
        {"id": "tram", "scope": {"operators": ["TAL"]}, "fare": {"kind": "flat", "amount": "2.40"}},
        {"id": "rail", "scope": {"modes": ["rail"]},
         "fare": {"kind": "zone_count", "fares": [{"zones": 1, "amount": "2.90"}, {"zones": 2, "amount": "3.70"}]}},
    ],
}


def package(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    data.update(changes)
    return data


def problems(data: dict[str, Any] | str, filename: str = "tariff.json") -> list[dict[str, Any]]:
    return refused(load_native_v2, data, filename)


def fields_and_messages(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["field"], p["message"]) for p in problems(data)]


def with_product(**product: Any) -> dict[str, Any]:
    data = package()
    data["products"].append({"id": "extra", "scope": {}, **product})
    return data


# --- good packages --------------------------------------------------------------------


def test_a_good_package_loads_with_defaults_filled_in():
    model = load_native_v2(json.dumps(GOOD), "tariff.json", version_id=7)

    assert model.name == "Testverbund" and model.currency == "EUR" and model.timezone == "Europe/Berlin"
    assert model.version_id == 7
    assert model.valid_to is None and model.service_day_start_s == 0
    assert model.max_discounted_transfers is None
    assert [(c.id, c.kind, c.factor) for c in model.rider_categories] == [
        ("adult", "none", Fraction(1)), ("child", "factor", Fraction(1, 2)),
    ]
    assert model.category(None).id == "adult"
    assert model.apportionment.method == "standalone_fares"
    assert model.package["through_fares"] == [] and model.package["caps"] == []
    assert model.package["products"][0]["time_bands"] == [] and model.package["products"][0]["transfers"] is None
    assert model.products[1].fare.amounts == (290, 370)


def test_validate_returns_the_normalised_package_that_builds_the_same_model():
    normalised = validate_native_v2(copy.deepcopy(GOOD), "tariff.json")

    assert normalised["service_day_start"] == "00:00"
    assert normalised["apportionment"] == {"method": "standalone_fares"}
    assert json.loads(json.dumps(normalised)) == normalised  # storable as JSON as it is


def test_amounts_may_be_json_numbers_and_are_read_exactly():
    data = package()
    text = json.dumps(data).replace('"2.40"', "2.4").replace('"3.70"', "3.7")

    model = load_native_v2(text, "tariff.json")

    assert model.products[0].fare.amount_minor == 240
    assert model.products[1].fare.amounts == (290, 370)


def test_version_1_packages_still_load_with_the_version_1_loader():
    v1 = {"format": "farebridge-native", "format_version": 1, "name": "V1", "currency": "EUR",
          "valid_from": "2026-01-01", "rider_categories": [{"id": "adult", "is_default": True}],
          "zone_fares": [{"zones": 1, "amount": "2.10"}]}

    assert load_native_package(json.dumps(v1), "v1.json")["zone_fares"] == [{"zones": 1, "amount": "2.10"}]
    assert problems(v1) == [{
        "file": "tariff.json", "line": 3, "field": "format_version",
        "message": "this loader reads format_version 2, the package is version 1",
    }]


# --- problems, with lines ---------------------------------------------------------------

TEXT_WITH_PROBLEMS = """{
  "format": "farebridge-native",
  "format_version": 2,
  "name": "Broken",
  "currency": "EUR",
  "timezone": "Mars/Olympus",
  "valid_from": "2026-01-01",
  "rider_categories": [{"id": "adult", "is_default": true}],
  "products": [
    {
      "id": "tram",
      "scope": {"operators": ["TAL"]},
      "fare": {"kind": "flat", "amount": "2.405"}
    },
    {
      "id": "bus",
      "scope": {"modes": ["hovercraft"]},
      "fare": {"kind": "flat"}
    }
  ],
  "through_fares": [
    {"id": "tram-bus", "sequence": ["tram", "ferry"], "amount": "3.00"}
  ]
}
"""


def test_every_problem_is_reported_at_once_with_its_line():
    assert problems(TEXT_WITH_PROBLEMS, "broken.json") == [
        {"file": "broken.json", "line": 6, "field": "timezone",
         "message": "not an IANA timezone like America/Sao_Paulo: 'Mars/Olympus'"},
        {"file": "broken.json", "line": 13, "field": "products[0].fare.amount",
         "message": "'2.405' has more than 2 decimals for EUR"},
        {"file": "broken.json", "line": 17, "field": "products[1].scope.modes[0]",
         "message": "Must be one of: bus, coach, trolleybus, tram, rail, metro, subway, monorail, ferry, cable_car, "
                    "gondola, funicular."},
        {"file": "broken.json", "line": 18, "field": "products[1].fare.amount",
         "message": "Missing data for required field."},
        {"file": "broken.json", "line": 22, "field": "through_fares[0].sequence[1]",
         "message": "unknown product 'ferry'"},
    ]


def test_a_json_syntax_error_names_its_line():
    assert problems('{\n  "format": "farebridge-native",\n  "name": ,\n}') == [
        {"file": "tariff.json", "line": 3, "field": None, "message": "Expecting value"}
    ]


def test_a_package_must_be_an_object():
    assert fields_and_messages([1, 2]) == [(None, "expected a JSON object")]  # type: ignore[arg-type]


def test_amounts_must_fit_the_currency():
    data = package(currency="JPY")
    data["products"] = [{"id": "tram", "scope": {}, "fare": {"kind": "flat", "amount": "240.5"}}]
    data["rider_categories"][1]["discount"] = {"amount_off": "100"}

    assert fields_and_messages(data) == [("products[0].fare.amount", "'240.5' has more than 0 decimals for JPY")]


def test_top_level_checks():
    data = package(valid_from="2026-05-01", valid_to="2026-04-30", currency="euro", service_day_start="24:00",
                   max_discounted_transfers=-1, unknown_field=1)
    data["rider_categories"][1]["is_default"] = True

    assert sorted(fields_and_messages(data)) == sorted([
        ("currency", "not an ISO 4217 currency code like EUR"),
        ("service_day_start", "24:00 is only allowed as the end of a period"),
        ("max_discounted_transfers", "Must be greater than or equal to 0 and less than or equal to 20."),
        ("unknown_field", "Unknown field."),
        ("valid_to", "valid_to is before valid_from"),
        ("rider_categories", "exactly one rider category must be the default (is_default: true)"),
    ])


def test_ids_must_be_unique_across_products_through_fares_transfers_caps_and_passes():
    data = package(caps=[{"id": "tram", "period": "day", "amount": "8.00"}])
    data["rider_categories"].append({"id": "child"})

    assert fields_and_messages(data) == [
        ("rider_categories[2].id", "rider category 'child' is listed twice"),
        ("caps[0].id", "id 'tram' is already used by products[0]"),
    ]


def test_zone_count_fares_need_consecutive_counts():
    rows = [{"zones": 1, "amount": "1"}, {"zones": 3, "amount": "2"}]
    data = with_product(fare={"kind": "zone_count", "fares": rows})

    assert fields_and_messages(data) == [
        ("products[2].fare.fares", "zone counts must be 1, 2, ... without gaps or repeats")]


def test_a_symmetric_matrix_must_not_list_a_cell_twice_or_its_mirror():
    cells = [{"from": "A", "to": "B", "amount": "3"}, {"from": "B", "to": "A", "amount": "4"},
             {"from": "A", "to": "B", "amount": "3"}, {"from": "A", "to": "A", "amount": "2"}]
    data = with_product(fare={"kind": "zone_matrix", "symmetric": True, "cells": cells})

    assert fields_and_messages(data) == [
        ("products[2].fare.cells[1]", "the matrix is symmetric: B -> A is already given by cells[0]"),
        ("products[2].fare.cells[2]", "A -> B is listed twice (first at cells[0])"),
    ]


def test_an_asymmetric_matrix_may_give_both_directions():
    cells = [{"from": "A", "to": "B", "amount": "3"}, {"from": "B", "to": "A", "amount": "4"}]
    model = load_native_v2(json.dumps(with_product(fare={"kind": "zone_matrix", "cells": cells})), "t.json")

    assert dict(model.products[2].fare.cells) == {("A", "B"): 300, ("B", "A"): 400}


def test_distance_fares_check_rounding_and_bounds():
    data = with_product(fare={"kind": "distance", "per_km": "0.1234567", "rounding": {"mode": "sideways", "step": "0"},
                              "minimum": "5.00", "maximum": "4.00"})

    assert sorted(fields_and_messages(data)) == [
        ("products[2].fare.maximum", "maximum is below minimum"),
        ("products[2].fare.per_km", "not a decimal like 0.5 (at most 6 decimals)"),
        ("products[2].fare.rounding.mode", "Must be one of: up, down, half_up."),
        ("products[2].fare.rounding.step", "must be more than 0"),
    ]
    data = with_product(fare={"kind": "distance", "per_km": "0.18", "rounding": {"step": "0.00"}})
    assert fields_and_messages(data) == [("products[2].fare.rounding.step", "must be more than 0")]


def test_time_bands_and_their_adjustments_are_checked():
    data = package(time_bands=[
        {"id": "peak", "periods": [{"days": ["mon", "mon"], "start": "07:00", "end": "09:00"}]},
        {"id": "flat", "periods": [{"days": ["funday"], "start": "07:00", "end": "07:00"}]},
    ])
    data["products"][0]["time_bands"] = [
        {"band": "peak", "multiplier": "1.2", "amount": "3.00"},
        {"band": "night", "multiplier": "0.8"},
        {"band": "peak", "amount": "2.00"},
    ]

    assert fields_and_messages(data) == [
        ("time_bands[0].periods[0].days", "a day is listed twice"),
        ("time_bands[1].periods[0].days[0]", "Must be one of: mon, tue, wed, thu, fri, sat, sun."),
        ("products[0].time_bands[0]", "give exactly one of multiplier, amount, fare"),
        ("products[0].time_bands[1].band", "unknown time band 'night'"),
        ("products[0].time_bands[2].band", "time band 'peak' is adjusted twice"),
    ]


def test_a_period_may_not_end_where_it_starts_but_may_run_to_24_00():
    data = package(time_bands=[{"id": "x", "periods": [{"days": ["mon"], "start": "07:00", "end": "07:00"}]},
                               {"id": "y", "periods": [{"days": ["mon"], "start": "00:00", "end": "24:00"}]}])

    assert fields_and_messages(data) == [
        ("time_bands[0].periods[0].end", "a period must not end where it starts (00:00 to 24:00 is all day)")
    ]


def test_transfers_through_fares_and_categories_must_name_known_products():
    data = package(
        through_fares=[{"id": "t", "sequence": ["tram"], "amount": "3.00"}],
        transfers=[{"id": "x", "from_products": ["bus"], "to_products": ["tram"],
                    "price": {"factor": "1.5"}}],
    )
    data["rider_categories"][1]["products"] = ["tram", "boat"]
    data["rider_categories"][1]["discount"] = {"factor": "0.5", "fixed_amount": "1.00"}

    assert fields_and_messages(data) == [
        ("rider_categories[1].discount", "give exactly one of factor, amount_off, fixed_amount"),
        ("rider_categories[1].products[1]", "unknown product or through fare 'boat'"),
        ("through_fares[0].sequence", "Length must be between 2 and 8."),
        ("transfers[0].from_products[0]", "unknown product 'bus'"),
        ("transfers[0].price.factor", "must be at most 1"),
    ]


def test_caps_and_passes_are_checked():
    data = package(
        caps=[{"id": "c", "period": "month", "amount": "8.00", "rider_categories": ["kid"]}],
        passes=[{"id": "p", "period": "day", "amount": "7.50", "zones": []}],
    )

    assert fields_and_messages(data) == [
        ("caps[0].period", "Must be one of: day, week."),
        ("caps[0].rider_categories[0]", "unknown rider category 'kid'"),
        ("passes[0].zones", "Shorter than minimum length 1."),
    ]


def test_apportionment_hints_are_checked():
    data = package(apportionment={"method": "fixed_shares", "shares": {"TAL": "0.6", "RBA": "0.3"},
                                  "fees": {"TAL": "0.10"}})
    data["products"][0]["apportionment"] = {"method": "per_leg_fixed_fees"}
    data["products"][1]["apportionment"] = {"method": "by_mood", "shares": {"TAL": "0"}}

    assert fields_and_messages(data) == [
        ("products[0].apportionment.fees", "per_leg_fixed_fees needs fees: {operator id: fee per leg}"),
        ("products[1].apportionment.method", "Must be one of: standalone_fares, passenger_km, zones_travelled, "
                                             "fixed_shares, per_leg_fixed_fees."),
        ("products[1].apportionment.shares.TAL", "must be more than 0"),
        ("apportionment.shares", "the shares must add up to exactly 1"),
        ("apportionment.fees", "fees belong to the per_leg_fixed_fees method"),
    ]


def test_apportionment_hints_are_exposed_on_the_model():
    data = package(apportionment={"method": "passenger_km", "reseller_commission": "0.02"})
    data["products"][0]["apportionment"] = {"method": "fixed_shares", "shares": {"TAL": "0.75", "BVB": "0.25"}}
    data["products"][1]["apportionment"] = {"method": "per_leg_fixed_fees", "fees": {"RBA": "0.50"},
                                            "remainder": "zones_travelled"}

    model = load_native_v2(json.dumps(data), "t.json")

    assert model.apportionment.method == "passenger_km"
    assert model.apportionment.reseller_commission == Fraction(1, 50)
    tram = model.apportionment_for("tram")
    assert tram.method == "fixed_shares" and tram.share_of("TAL") == Fraction(3, 4) and tram.share_of("X") is None
    rail = model.apportionment_for("rail")
    assert rail.fee_of("RBA") is not None and rail.fee_of("RBA").minor == 50 and rail.remainder == "zones_travelled"
    assert model.apportionment_for("nothing-special").method == "passenger_km"
