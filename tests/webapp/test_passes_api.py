"""Passes and subscriptions through the HTTP API, on SQLite and PostgreSQL (clearing runs in-process)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import select

from clearing.models import ClearingRecord, ClearingShare
from tests.conftest import ADMIN, unguessable_key
from ticketing.token import verify_token
from webapp.users import create_user

BERLIN = ZoneInfo("Europe/Berlin")
RIDER, OTHER_RIDER = "pass-rider-token-1", "pass-rider-token-2"


@pytest.fixture
def riders(demo):
    """Two passengers with known API tokens."""
    uow = demo.uow()
    with uow:
        for token in (RIDER, OTHER_RIDER):
            create_user(uow.session, "passenger", email=f"{token}@example.org", token=token)
        uow.commit()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def today() -> date:
    return datetime.now(BERLIN).date()


def tomorrow_at(hhmm: str) -> str:
    return f"{today() + timedelta(days=1)}T{hhmm}"


def buy(client, product="week-altheim", key="buy-1", headers=None, **fields):
    body = {"pass_product_id": product, "start_date": str(today()), "payment": {"method": "card",
                                                                               "card_token": "tok_ok"}, **fields}
    return client.post("/api/v1/passes", json=body,
                       headers={"Idempotency-Key": unguessable_key(key), **(headers or {})})


def legs(*rides):
    return {"legs": [{"route_id": r, "from_stop_id": a, "to_stop_id": b, "departure": tomorrow_at(t),
                      "arrival": tomorrow_at(t[:3] + "50")} for r, a, b, t in rides]}


def test_the_products_come_from_the_active_tariff_with_a_price_per_rider_category(client):
    body = client.get("/api/v1/passes/products").json
    products = {p["id"]: p for p in body["products"]}

    assert list(products) == ["day-all", "week-altheim", "month-bvb", "subscription-month-all"]
    assert [(p["rider_category"], p["amount"]) for p in products["day-all"]["prices"]] == [
        ("adult", "15.00"), ("child", "7.50"), ("senior", "11.25")]
    assert products["week-altheim"]["scope"]["zones"] == ["1", "2"]
    assert products["month-bvb"]["scope"]["operators"] == ["BVB"]
    assert [p["id"] for p in body["products"] if p["subscription"]] == ["subscription-month-all"]
    assert body["currency"] == "EUR"


def test_a_guest_buys_a_pass_and_the_same_key_replays_the_purchase(client):
    first = buy(client)
    assert first.status_code == 201, first.json
    assert (first.json["amount"], first.json["payment"]["status"]) == ("24.00", "captured")
    assert first.json["access_token"]
    assert first.json["valid_from"] == datetime.combine(today(), datetime.min.time(), BERLIN).isoformat()
    shown = client.get(f"/api/v1/passes/{first.json['id']}", headers=bearer(first.json["access_token"])).json
    assert shown["valid_until"] == first.json["valid_until"] == (
        datetime.combine(today() + timedelta(days=7), datetime.min.time(), BERLIN).isoformat())

    again = buy(client)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == first.json["id"]
    other = buy(client, rider_category="child")
    assert other.status_code == 409
    assert other.json["error"]["code"] == "idempotency_key_reused"


def test_bad_purchases_are_clear_4xx(client):
    assert buy(client, product="year-pass").status_code == 422
    assert buy(client, key="b2", start_date="2020-01-01").json["error"]["details"][0]["field"] == "start_date"
    declined = client.post("/api/v1/passes", json={"pass_product_id": "day-all",
                                                   "payment": {"method": "card", "card_token": "tok_declined"}})
    assert declined.status_code == 402
    assert client.post("/api/v1/passes", json={"pass_product_id": "day-all"}).status_code == 422
    assert buy(client, product="subscription-month-all", key="b3").json["error"]["code"] == "subscription_only"


def test_only_the_holder_or_an_admin_reads_a_pass(client, riders):
    guest = buy(client).json
    mine = buy(client, "month-bvb", key="buy-2", headers=bearer(RIDER)).json
    assert "access_token" not in mine

    assert client.get(f"/api/v1/passes/{guest['id']}").status_code == 403
    assert client.get(f"/api/v1/passes/{guest['id']}", headers=bearer(guest["access_token"])).status_code == 200
    assert client.get(f"/api/v1/passes/{guest['id']}", headers=bearer(RIDER)).status_code == 403
    assert client.get(f"/api/v1/passes/{mine['id']}", headers=bearer(RIDER)).json["pass_product_id"] == "month-bvb"
    assert client.get(f"/api/v1/passes/{mine['id']}", headers=bearer(OTHER_RIDER)).status_code == 403
    assert client.get(f"/api/v1/passes/{mine['id']}", headers=ADMIN).status_code == 200
    assert client.get("/api/v1/passes/nope", headers=ADMIN).status_code == 404


def test_a_covered_journey_gets_a_free_signed_ticket_and_another_one_a_422_with_the_reason(client):
    held = buy(client).json
    owner = bearer(held["access_token"])

    covered = client.post(f"/api/v1/passes/{held['id']}/trips", headers=owner, json=legs(
        ("SWA11", "ALT_EICH_WALDWEG", "ALT_WEST", "08:00"), ("T1", "ALT_OST", "ALT_MARKT", "09:00")))
    assert covered.status_code == 201, covered.json
    ticket = covered.json["ticket"]
    assert (ticket["total"], ticket["total_minor"], ticket["pass_id"]) == ("0.00", 0, held["id"])
    pem = client.get("/api/v1/tickets/public-key").json["pem"]
    claims = verify_token(ticket["token"], load_pem_public_key(pem.encode()))
    assert (claims["tid"], claims["pass"], claims["p"]) == (ticket["id"], held["id"], "0.00")

    outside = client.post(f"/api/v1/passes/{held['id']}/trips", headers=owner,
                          json=legs(("RE1", "ALT_HBF", "KIR_BF", "08:00")))
    assert outside.status_code == 422
    assert outside.json["error"]["code"] == "not_covered_by_pass"
    assert outside.json["error"]["details"]["reasons"] == ["leg 0: passes zone(s) 3, outside the pass's zones 1, 2"]

    walk_only = client.post(f"/api/v1/passes/{held['id']}/trips", headers=owner, json={"legs": [
        {"from_stop_id": "ALT_HBF", "to_stop_id": "ALT_HBF_VP"}]})
    assert walk_only.status_code == 422
    stranger = client.post(f"/api/v1/passes/{held['id']}/trips", json=legs(("T1", "ALT_OST", "ALT_MARKT", "09:00")))
    assert stranger.status_code == 403


def test_a_pass_sale_is_cleared_equally_among_its_operators_and_the_books_balance(client):
    period = datetime.now(BERLIN).astimezone(ZoneInfo("UTC")).strftime("%Y-%m")
    before = client.get(f"/api/v1/clearing/reconciliation?period={period}", headers=ADMIN).json

    held = buy(client, "day-all").json

    after = client.get(f"/api/v1/clearing/reconciliation?period={period}", headers=ADMIN).json
    assert after["payments_minor"] - before["payments_minor"] == 1500
    assert after["operator_shares_minor"] - before["operator_shares_minor"] == 1500
    assert after["difference"] == before["difference"]
    assert (after["ledger_balanced"], after["pending_events"]) == (True, 0)
    runtime = client.application.extensions["farebridge.runtime"]
    with runtime.session_factory() as session:
        record = session.scalars(select(ClearingRecord).where(ClearingRecord.sale_id == held["order_id"])).one()
        shares = {s.operator_id: s.amount_minor for s in
                  session.scalars(select(ClearingShare).where(ClearingShare.record_id == record.id))}
    assert shares == {"BVB": 300, "FAE": 300, "RBA": 300, "SWA": 300, "TAL": 300}


def subscribe(client, headers, key="sub-1"):
    return client.post("/api/v1/subscriptions", headers={"Idempotency-Key": key, **headers}, json={
        "pass_product_id": "subscription-month-all", "payment": {"method": "card", "card_token": "tok_ok"}})


def test_a_passenger_subscribes_and_cancels_with_a_prorated_credit(client, riders):
    assert subscribe(client, {}).status_code == 401
    assert subscribe(client, {"Authorization": "Bearer demo-operator-rba"}).status_code == 403

    created = subscribe(client, bearer(RIDER))
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["status"], body["current_pass"]["amount"], body["credit"]) == ("active", "89.00", None)
    assert subscribe(client, bearer(RIDER)).json["id"] == body["id"]  # replayed, not charged again

    sub_id = body["id"]
    assert client.get(f"/api/v1/subscriptions/{sub_id}", headers=bearer(OTHER_RIDER)).status_code == 403
    assert client.post(f"/api/v1/subscriptions/{sub_id}/cancel", headers=bearer(OTHER_RIDER)).status_code == 403
    cancelled = client.post(f"/api/v1/subscriptions/{sub_id}/cancel", headers=bearer(RIDER))
    assert cancelled.status_code == 200
    start = datetime.fromisoformat(body["current_period_start"]).date()
    end = datetime.fromisoformat(body["current_period_end"]).date()
    days = (end - start).days
    assert cancelled.json["status"] == "cancelled"
    assert cancelled.json["credit_minor"] == 8900 * (days - 1) // days  # cancelled on its first day
    assert client.post(f"/api/v1/subscriptions/{sub_id}/cancel", headers=bearer(RIDER)).status_code == 409
    assert client.get(f"/api/v1/subscriptions/{sub_id}", headers=ADMIN).json["renews_at"] is None
