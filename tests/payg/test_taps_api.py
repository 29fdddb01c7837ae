"""The HTTP side: POST /taps in batches, accounts, charge runs, day statements and reconciliation."""
from __future__ import annotations

from datetime import timedelta

from core.db import utcnow
from tests.conftest import ADMIN
from tests.payg.rides import ride

OPERATOR = {"Authorization": "Bearer demo-operator-rba"}


def test_taps_are_charged_cleared_and_reconciled_through_the_api(client):
    opened = client.post("/api/v1/payg/accounts", json={"account_id": "card-9", "rider_category": "adult",
                                                         "payment_method": "card", "card_token": "tok_ok"},
                         headers=ADMIN)
    assert opened.status_code == 201, opened.json
    yesterday = (utcnow() - timedelta(days=1)).date()
    taps = (ride("card-9", "RE1", "WES_BF", "ALT_HBF", yesterday, "07:00", "07:30")
            + ride("card-9", "RE1", "ALT_HBF", "WES_BF", yesterday, "12:00", "12:30")
            + ride("card-9", "BVB21", "BGS_BF", "BGS_MARKT", yesterday, "15:00", "15:10"))
    bad = {**taps[0], "event_id": "x", "route_id": "NOPE"}
    posted = client.post("/api/v1/taps", json={"taps": taps + [bad]}, headers=OPERATOR)
    assert posted.status_code == 200
    assert posted.json["accepted"] == 6
    assert posted.json["rejected"] == [{"index": 6, "device_id": "dev-1", "event_id": "x", "errors": [
        {"field": "route_id", "message": "unknown route 'NOPE'"}]}]
    assert client.post("/api/v1/taps", json={"taps": taps}, headers=OPERATOR).json["duplicates"] == 6

    charged = client.post("/api/v1/payg/charge-runs", json={"service_date": yesterday.isoformat()}, headers=ADMIN)
    assert charged.json["collected_minor"] == 900
    day = client.get(f"/api/v1/payg/accounts/card-9/days/{yesterday.isoformat()}", headers=ADMIN).json
    assert day["paid"] == "9.00"
    assert day["charges"][0]["statement"]["caps_applied"] == ["day-cap"]
    assert day["charges"][0]["fares_total"] == "12.50"

    period = utcnow().strftime("%Y-%m")
    reconciliation = client.get(f"/api/v1/clearing/reconciliation?period={period}", headers=ADMIN).json
    assert reconciliation["difference"] == "0.00"
    assert reconciliation["ledger_balanced"] is True
    assert reconciliation["pending_events"] == 0


def test_a_batch_needs_a_list_and_a_token(client):
    assert client.post("/api/v1/taps", json={"taps": {}}, headers=OPERATOR).status_code == 422
    assert client.post("/api/v1/taps", json={"taps": []}).status_code == 401
    assert client.post("/api/v1/taps", json={"taps": []}, headers={"Authorization": "Bearer demo-passenger"}) \
        .status_code == 403


def test_a_bad_day_or_an_unknown_account_is_a_clear_4xx(client):
    assert client.get("/api/v1/payg/accounts/nobody/days/2026-11-24", headers=ADMIN).status_code == 404
    assert client.get("/api/v1/payg/accounts/nobody/days/yesterday", headers=ADMIN).status_code == 422
    refused = client.post("/api/v1/payg/accounts", json={"account_id": "a", "payment_method": "cash"},
                          headers=ADMIN)
    assert refused.status_code == 422 and refused.json["error"]["details"][0]["field"] == "payment_method"
