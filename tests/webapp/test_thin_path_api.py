"""The thin path through the HTTP API, on SQLite and PostgreSQL (clearing runs in-process)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tests.conftest import ADMIN, unguessable_key
from webapp.demo.timetable import next_working_day

ORIGIN, DESTINATION = "ALT_EICH_WALDWEG", "BGS_SONN_BUCHENWEG"


def tomorrow_at(hhmm: str) -> str:
    return f"{next_working_day(date.today())}T{hhmm}"


def first_option(client, rider="adult"):
    response = client.get(f"/api/v1/journeys?from={ORIGIN}&to={DESTINATION}&at={tomorrow_at('08:00')}&rider={rider}")
    assert response.status_code == 200, response.json
    return response.json["options"][0]


def order(client, option, key="order-1", rider="adult"):
    return client.post("/api/v1/orders", json={"legs": option["legs"], "rider_category": rider,
                                              "email": "rider@example.org"},
                       headers={"Idempotency-Key": unguessable_key(key)})


def pay(client, created, token="tok_ok", key="pay-1"):
    return client.post(f"/api/v1/orders/{created['id']}/payment", json={"method": "card", "card_token": token},
                       headers={"Authorization": f"Bearer {created['access_token']}", "Idempotency-Key": key})


def test_journeys_are_real_trips_of_the_timetable_leaving_after_the_requested_time(client):
    response = client.get(f"/api/v1/journeys?from={ORIGIN}&to={DESTINATION}&at={tomorrow_at('08:00')}")
    body = response.json
    assert body["timetable"] is True and body["exact"] is True
    for option in body["options"]:
        asked = datetime.fromisoformat(tomorrow_at("08:00")).replace(tzinfo=ZoneInfo("Europe/Berlin"))
        assert datetime.fromisoformat(option["departure"]) >= asked
        for leg in option["legs"]:
            if leg["route_id"] is None:
                assert leg["trip_id"] is None and leg["mode"] == "walk"
            else:
                assert leg["trip_id"].startswith(leg["route_id"] + "-WD-")  # the demo's weekday trips
                assert leg["headsign"] and leg["distance_m"] is None


def test_journey_option_crosses_three_operators_with_a_split_price(client):
    option = first_option(client)
    operators = {leg["operator_id"] for leg in option["legs"] if leg["route_id"]}
    assert operators == {"SWA", "RBA", "BVB"}
    price = option["price"]
    assert price["currency"] == "EUR"
    assert price["total"] == "7.10"  # zones 2, 1, 3, 4, 5 of the VAU tariff: five zones
    assert sum(o["amount_minor"] for o in price["operators"]) == price["total_minor"] == 710
    assert {o["operator_id"] for o in price["operators"]} == operators


def test_child_fare_is_half_the_adult_fare_rounded(client):
    assert first_option(client, rider="child")["price"]["total"] == "3.55"


def test_unknown_stop_and_rider_category_are_clear_4xx(client):
    response = client.get(f"/api/v1/journeys?from=NOPE&to={DESTINATION}")
    assert response.status_code == 404
    assert response.json["error"]["details"] == {"field": "from"}
    response = client.get(f"/api/v1/journeys?from={ORIGIN}&to={DESTINATION}&rider=dog")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "unknown_rider_category"
    response = client.get(f"/api/v1/journeys?from={ORIGIN}&to={DESTINATION}&at=yesterday")
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "at"


def test_order_locks_the_server_side_price_and_ignores_client_prices(client):
    option = first_option(client)
    legs = [dict(leg, price="0.01") for leg in option["legs"]]
    response = client.post("/api/v1/orders", json={"legs": legs, "rider_category": "adult"})
    assert response.status_code == 201
    assert response.json["total"] == "7.10"
    assert response.json["status"] == "quoted"
    assert response.json["expires_at"] > response.json["created_at"]
    assert response.json["access_token"]


def test_order_with_the_same_key_and_body_is_replayed_and_a_new_body_conflicts(client):
    option = first_option(client)
    first = order(client, option)
    again = order(client, option)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == first.json["id"]
    other = order(client, option, rider="child")
    assert other.status_code == 409
    assert other.json["error"]["code"] == "idempotency_key_reused"


def test_order_of_legs_that_do_not_exist_is_refused(client):
    response = client.post("/api/v1/orders", json={"legs": [{"route_id": "RE1", "from_stop_id": "BGS_BF",
                                                             "to_stop_id": "BGS_BF"}]})
    assert response.status_code == 422
    response = client.post("/api/v1/orders", json={"legs": []})
    assert response.status_code == 422
    response = client.post("/api/v1/orders", data="not json", content_type="application/json")
    assert response.status_code == 422


def test_payment_issues_one_signed_ticket_and_clears_the_sale(client):
    created = order(client, first_option(client)).json
    paid = pay(client, created)
    assert paid.status_code == 200, paid.json
    assert paid.json["status"] == "paid"
    ticket = paid.json["ticket"]
    assert ticket["token"].startswith("FB1.")

    replay = pay(client, created)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json["ticket"]["id"] == ticket["id"]
    second = pay(client, created, key="pay-2")
    assert second.status_code == 409
    assert second.json["error"]["code"] == "already_paid"

    verified = client.post("/api/v1/tickets/verify", json={"token": ticket["token"]}).json
    assert verified["ticket"]["tid"] == ticket["id"]
    assert verified["reason"] is None or "not valid yet" in verified["reason"]

    shown = client.get(f"/api/v1/tickets/{ticket['id']}",
                       headers={"Authorization": f"Bearer {created['access_token']}"})
    assert shown.status_code == 200
    assert client.get(f"/api/v1/tickets/{ticket['id']}").status_code == 403

    period = paid.json["payment"]["created_at"][:7]
    recon = client.get(f"/api/v1/clearing/reconciliation?period={period}", headers=ADMIN).json
    assert recon["payments_minor"] == 710
    assert recon["operator_shares_minor"] == 710
    assert recon["difference"] == "0.00"
    assert recon["ledger_balanced"] is True
    assert recon["pending_events"] == 0


def test_declined_card_is_402_and_the_order_stays_payable(client):
    created = order(client, first_option(client)).json
    declined = pay(client, created, token="tok_declined")
    assert declined.status_code == 402
    assert declined.json["error"]["details"] == {"reason": "card_declined"}
    assert pay(client, created, key="pay-2").status_code == 200


def test_payment_needs_the_order_access_token(client):
    created = order(client, first_option(client)).json
    response = client.post(f"/api/v1/orders/{created['id']}/payment", json={"method": "card", "card_token": "tok_ok"})
    assert response.status_code == 403


def test_tampered_ticket_fails_verification(client):
    created = order(client, first_option(client)).json
    token = pay(client, created).json["ticket"]["token"]
    head, claims, signature = token.split(".")
    forged = f"{head}.{claims[:-2]}AA.{signature}"
    result = client.post("/api/v1/tickets/verify", json={"token": forged}).json
    assert result["valid"] is False
    assert result["reason"]


def test_settlement_statements_add_up_and_operators_see_only_their_own(client):
    created = order(client, first_option(client)).json
    period = pay(client, created).json["payment"]["created_at"][:7]
    settled = client.post("/api/v1/settlements", json={"period": period}, headers=ADMIN)
    assert settled.status_code == 201
    by_operator = {s["operator_id"]: s for s in settled.json["settlements"]}
    assert sum(s["total_minor"] for s in by_operator.values()) == 710
    assert by_operator["TAL"]["total_minor"] == 0

    rba = {"Authorization": "Bearer demo-operator-rba"}
    mine = client.get("/api/v1/operators/RBA/settlements", headers=rba)
    assert mine.status_code == 200 and len(mine.json["settlements"]) == 1
    assert client.get("/api/v1/operators/BVB/settlements", headers=rba).status_code == 403
    csv_text = client.get(by_operator["RBA"]["csv_url"], headers=rba).get_data(as_text=True)
    assert csv_text.splitlines()[-1].endswith(f"TOTAL,,,,{by_operator['RBA']['total']},EUR")
    assert client.get(by_operator["BVB"]["csv_url"], headers=rba).status_code == 403

    again = client.post("/api/v1/settlements", json={"period": period}, headers=ADMIN)
    assert again.status_code == 409


def test_admin_routes_refuse_anonymous_and_other_roles(client):
    assert client.get("/api/v1/clearing/reconciliation").status_code == 401
    rba = {"Authorization": "Bearer demo-operator-rba"}
    assert client.get("/api/v1/clearing/reconciliation", headers=rba).status_code == 403
    assert client.post("/api/v1/settlements", json={"period": "2026-11"}, headers=rba).status_code == 403


def test_health_reports_database_and_broker(client):
    body = client.get("/api/v1/health").json
    assert body["database"] == "ok"
    assert body["broker"].startswith("in-process")


def test_unknown_routes_answer_json_not_html(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
