"""Hostile input found by the probe of issue 14 is a 4xx JSON error, never a 500.

Deep JSON and long numbers are refused where every body is parsed
(``core.input_limits.load_json``); years outside 1970-2999 where dates are
loaded; periods where they are parsed (``clearing.periods``).
"""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from tests.conftest import ADMIN, unguessable_key
from tests.webapp.test_thin_path_api import first_option

DEEP = "[" * 50_000 + "]" * 50_000
OPERATOR = {"Authorization": "Bearer demo-operator-rba"}


def assert_json_4xx(response, *statuses: int) -> dict:
    assert response.status_code in (statuses or (400, 413, 422)), (response.status_code, response.get_data()[:300])
    body = response.get_json()
    assert body["error"]["code"] and body["error"]["message"]
    return body


@pytest.mark.parametrize(("path", "headers"), [
    ("/api/v1/orders", {"Idempotency-Key": unguessable_key("deep")}),
    ("/api/v1/fares/price", {}),
    ("/api/v1/taps", OPERATOR),
])
def test_json_nested_50000_deep_is_refused(client, path, headers):
    for body in (DEEP, '{"legs": ' + DEEP + "}"):
        response = client.post(path, data=body, content_type="application/json", headers=headers)
        body = assert_json_4xx(response, 422)
        assert "FAREBRIDGE_MAX_JSON_DEPTH" in body["error"]["message"]


def test_a_json_tariff_nested_50000_deep_is_refused(client):
    response = client.post("/api/v1/tariffs", data={"file": (io.BytesIO(DEEP.encode()), "deep.json")},
                           headers=ADMIN, content_type="multipart/form-data")
    errors = assert_json_4xx(response, 422)["errors"]
    assert errors[0]["file"] == "deep.json" and "nest deeper" in errors[0]["message"]


def test_a_5001_digit_integer_in_an_order_is_refused(client):
    option = first_option(client)
    body = '{"legs": [], "rider_category": "adult", "email": ' + "9" * 5001 + "}"
    response = client.post("/api/v1/orders", data=body, content_type="application/json",
                           headers={"Idempotency-Key": unguessable_key("digits")})
    assert "FAREBRIDGE_MAX_JSON_NUMBER_DIGITS" in assert_json_4xx(response, 422)["error"]["message"]
    legs = '[{"route_id": "RE1", "from_stop_id": "ALT_HBF", "to_stop_id": "BGS_BF", "operator_id": ' \
           + "1" * 5001 + "}]"
    response = client.post("/api/v1/fares/price", data='{"legs": ' + legs + "}", content_type="application/json")
    assert_json_4xx(response, 422)
    assert option  # the journey search itself still works


@pytest.mark.parametrize("at", ["9999-12-31T23:59", "0001-01-01T00:00", "3000-01-01T00:00"])
def test_journeys_at_the_ends_of_the_calendar_are_refused(client, at):
    response = client.get(f"/api/v1/journeys?from=ALT_EICH_WALDWEG&to=BGS_SONN_BUCHENWEG&at={at}")
    body = assert_json_4xx(response, 422)
    assert "1970-2999" in str(body["error"]["details"])


def test_a_nul_character_in_a_stop_search_is_refused(client):
    body = assert_json_4xx(client.get("/api/v1/stops?q=%00"), 422)
    assert body["error"]["details"][0]["field"] == "q"
    assert client.get("/api/v1/stops?q=eich").status_code == 200


def test_a_nul_character_in_a_json_string_is_refused(client):
    response = client.post("/api/v1/fares/price", data='{"legs": [], "rider_category": "a\\u0000"}',
                           content_type="application/json")
    assert "NUL" in assert_json_4xx(response, 422)["error"]["message"]


@pytest.mark.parametrize("period", ["9999-12", "0000-01", "1969-12", "10000-01"])
def test_periods_outside_1970_to_2999_are_422(client, period):
    assert_json_4xx(client.get(f"/api/v1/clearing/reconciliation?period={period}", headers=ADMIN), 422)
    assert_json_4xx(client.post("/api/v1/settlements", json={"period": period}, headers=ADMIN), 422)


def test_the_last_valid_period_works(client):
    assert client.get("/api/v1/clearing/reconciliation?period=2999-12", headers=ADMIN).status_code == 200


def test_an_order_far_ahead_of_the_tariff_is_refused(client):
    legs = first_option(client)["legs"]
    for year_ahead in ("9999", "2999", str(date.today().year + 2)):
        moved = [{**leg, "departure": year_ahead + leg["departure"][4:], "arrival": year_ahead + leg["arrival"][4:]}
                 for leg in legs]
        response = client.post("/api/v1/orders", json={"legs": moved, "rider_category": "adult"},
                               headers={"Idempotency-Key": unguessable_key(f"far-{year_ahead}")})
        assert_json_4xx(response, 422)
    soon = client.post("/api/v1/orders", json={"legs": legs, "rider_category": "adult"},
                       headers={"Idempotency-Key": unguessable_key("soon")})
    assert soon.status_code == 201


def test_an_order_after_the_tariffs_valid_to_is_refused(client, demo):
    from fares.models import TariffVersion

    legs = first_option(client)["legs"]
    with demo.session_factory() as session:
        version = session.query(TariffVersion).filter_by(status="active").one()
        version.valid_to = date.today()
        session.commit()
    response = client.post("/api/v1/orders", json={"legs": legs, "rider_category": "adult"},
                           headers={"Idempotency-Key": unguessable_key("after-valid-to")})
    body = assert_json_4xx(response, 422)
    assert "validity" in body["error"]["message"]
    assert (date.today() + timedelta(days=1)).isoformat() in body["error"]["message"]


def test_a_query_parameter_the_operation_does_not_know_is_refused_by_name(client):
    response = client.get("/api/v1/stops?q=Markt&perod=2026-01")
    assert response.status_code == 422
    assert "perod" in str(response.get_json()["error"])
