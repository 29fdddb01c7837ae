"""Wallets through the HTTP API, on SQLite and PostgreSQL: owners, idempotent top-ups, paying orders."""
from __future__ import annotations

import pytest

from tests.conftest import ADMIN, unguessable_key
from tests.webapp.test_thin_path_api import first_option
from webapp.users import create_user

PASSENGER = {"Authorization": "Bearer demo-passenger"}


@pytest.fixture
def stranger(demo) -> dict[str, str]:
    """Another passenger's headers."""
    uow = demo.uow()
    with uow:
        _user, token = create_user(uow.session, "passenger")
        uow.commit()
    return {"Authorization": f"Bearer {token}"}


def open_wallet(client, headers=PASSENGER):
    return client.post("/api/v1/wallets", headers=headers)


def top_up(client, wallet_id, amount="20.00", card="tok_ok", key="top-up-1", headers=PASSENGER):
    return client.post(f"/api/v1/wallets/{wallet_id}/topups", json={"amount": amount, "card_token": card},
                       headers={**headers, "Idempotency-Key": key})


def order(client, option, headers=None, key="order-1"):
    return client.post("/api/v1/orders", json={"legs": option["legs"], "rider_category": "adult"},
                       headers={**(headers or {}), "Idempotency-Key": unguessable_key(key)})


def pay_with_wallet(client, order_id, wallet_id, headers=PASSENGER, key="pay-1"):
    return client.post(f"/api/v1/orders/{order_id}/payment", json={"method": "wallet", "wallet_id": wallet_id},
                       headers={**headers, "Idempotency-Key": key})


def test_the_demo_passenger_opens_the_wallet_loaded_with_fifty_euros(client):
    opened = open_wallet(client)
    assert opened.status_code == 200  # demo load opened it already
    assert (opened.json["balance"], opened.json["balance_minor"], opened.json["currency"]) == ("50.00", 5000, "EUR")
    shown = client.get(f"/api/v1/wallets/{opened.json['id']}", headers=PASSENGER)
    assert shown.status_code == 200
    assert [(e["kind"], e["amount"]) for e in shown.json["entries"]] == [("topup", "50.00")]


def test_a_new_passenger_opens_an_empty_wallet_once(client, stranger):
    first = open_wallet(client, stranger)
    assert first.status_code == 201
    assert first.json["balance"] == "0.00"
    again = open_wallet(client, stranger)
    assert (again.status_code, again.json["id"]) == (200, first.json["id"])


def test_only_passengers_open_wallets(client):
    assert open_wallet(client, {}).status_code == 401
    assert open_wallet(client, ADMIN).status_code == 403
    assert open_wallet(client, {"Authorization": "Bearer demo-operator-rba"}).status_code == 403
    assert client.post("/api/v1/wallets", json={"currency": "EURO"}, headers=PASSENGER).status_code == 422


def test_only_the_owner_reads_and_tops_up_a_wallet(client, stranger):
    wallet_id = open_wallet(client).json["id"]
    assert client.get(f"/api/v1/wallets/{wallet_id}").status_code == 401
    assert client.get(f"/api/v1/wallets/{wallet_id}", headers=stranger).status_code == 403
    assert client.get(f"/api/v1/wallets/{wallet_id}", headers=ADMIN).status_code == 200
    assert client.get("/api/v1/wallets/no-such-wallet", headers=PASSENGER).status_code == 404
    assert top_up(client, wallet_id, headers=stranger).status_code == 403
    assert top_up(client, wallet_id, headers=ADMIN).status_code == 403
    assert client.get(f"/api/v1/wallets/{wallet_id}", headers=PASSENGER).json["balance"] == "50.00"


def test_a_top_up_replayed_with_its_key_is_booked_once_and_another_body_conflicts(client):
    wallet_id = open_wallet(client).json["id"]
    first = top_up(client, wallet_id)
    assert first.status_code == 201, first.json
    assert (first.json["top_up"]["amount"], first.json["wallet"]["balance"]) == ("20.00", "70.00")
    replay = top_up(client, wallet_id)
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json["top_up"]["id"] == first.json["top_up"]["id"]
    other = top_up(client, wallet_id, amount="30.00")
    assert other.status_code == 409
    assert other.json["error"]["code"] == "idempotency_key_reused"
    entries = client.get(f"/api/v1/wallets/{wallet_id}", headers=PASSENGER).json["entries"]
    assert [e["amount_minor"] for e in entries] == [5000, 2000]


def test_a_top_up_needs_a_key_and_a_decimal_amount(client):
    wallet_id = open_wallet(client).json["id"]
    no_key = client.post(f"/api/v1/wallets/{wallet_id}/topups", json={"amount": "20.00", "card_token": "tok_ok"},
                         headers=PASSENGER)
    assert no_key.status_code == 422
    assert no_key.json["error"]["details"][0]["field"] == "Idempotency-Key"
    for number, amount in enumerate(["abc", "20.001", "0.00", "-1.00", "500.01", 20.5, None]):
        response = top_up(client, wallet_id, amount=amount, key=f"bad-{number}")
        assert response.status_code == 422, (amount, response.json)
        assert response.json["error"]["details"][0]["field"] == "amount"
    assert client.get(f"/api/v1/wallets/{wallet_id}", headers=PASSENGER).json["balance"] == "50.00"


def test_a_declined_top_up_is_402_and_a_flaky_provider_is_retried(client):
    wallet_id = open_wallet(client).json["id"]
    declined = top_up(client, wallet_id, card="tok_declined")
    assert declined.status_code == 402
    assert declined.json["error"]["details"] == {"reason": "card_declined"}
    flaky = top_up(client, wallet_id, card="tok_transient", key="top-up-2")
    assert flaky.status_code == 201
    assert flaky.json["wallet"]["balance"] == "70.00"


def test_a_passenger_pays_an_own_order_from_the_wallet(client):
    wallet_id = open_wallet(client).json["id"]
    created = order(client, first_option(client), PASSENGER).json
    paid = pay_with_wallet(client, created["id"], wallet_id)
    assert paid.status_code == 200, paid.json
    assert (paid.json["status"], paid.json["payment"]["method"]) == ("paid", "wallet")
    assert paid.json["ticket"]["token"].startswith("FB1.")
    replay = pay_with_wallet(client, created["id"], wallet_id)
    assert replay.json["ticket"]["id"] == paid.json["ticket"]["id"]
    wallet = client.get(f"/api/v1/wallets/{wallet_id}", headers=PASSENGER).json
    assert wallet["balance_minor"] == 5000 - created["total_minor"]
    assert [(e["kind"], e["order_id"]) for e in wallet["entries"]][-1] == ("spend", created["id"])
    assert client.get(f"/api/v1/orders/{created['id']}", headers=PASSENGER).status_code == 200


def test_wallet_payment_beyond_the_balance_is_402_insufficient_funds(client, stranger):
    wallet_id = open_wallet(client, stranger).json["id"]
    top_up(client, wallet_id, amount="1.00", headers=stranger)
    created = order(client, first_option(client), stranger).json
    declined = pay_with_wallet(client, created["id"], wallet_id, headers=stranger)
    assert declined.status_code == 402
    assert declined.json["error"]["details"]["reason"] == "insufficient_funds"
    assert declined.json["error"]["details"]["balance"] == "1.00"
    assert client.get(f"/api/v1/wallets/{wallet_id}", headers=stranger).json["balance"] == "1.00"


def test_wallet_payment_needs_the_owner_and_the_owners_order(client, stranger):
    wallet_id = open_wallet(client).json["id"]
    option = first_option(client)
    guest = order(client, option, key="guest").json
    as_guest = {"Authorization": f"Bearer {guest['access_token']}"}
    assert pay_with_wallet(client, guest["id"], wallet_id, headers=as_guest).status_code == 403
    assert pay_with_wallet(client, guest["id"], wallet_id).status_code == 403  # not the passenger's order
    strangers = order(client, option, stranger, key="strangers").json
    assert pay_with_wallet(client, strangers["id"], wallet_id, headers=stranger).status_code == 403
    mine = order(client, option, PASSENGER, key="mine").json
    assert pay_with_wallet(client, mine["id"], wallet_id, headers=ADMIN).status_code == 403
    no_wallet = client.post(f"/api/v1/orders/{mine['id']}/payment", json={"method": "wallet"}, headers=PASSENGER)
    assert no_wallet.status_code == 422
    assert client.get(f"/api/v1/wallets/{wallet_id}", headers=PASSENGER).json["balance"] == "50.00"


def test_guest_orders_pay_by_card_as_before(client):
    guest = order(client, first_option(client)).json
    assert "access_token" in guest
    paid = client.post(f"/api/v1/orders/{guest['id']}/payment", json={"method": "card", "card_token": "tok_ok"},
                       headers={"Authorization": f"Bearer {guest['access_token']}", "Idempotency-Key": "pay-1"})
    assert paid.status_code == 200
    assert paid.json["payment"]["method"] == "card"
    assert client.get(f"/api/v1/orders/{guest['id']}", headers=PASSENGER).status_code == 403
