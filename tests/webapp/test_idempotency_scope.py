"""An Idempotency-Key replays a response only to the caller that made it.

The probe of issue 14: a passenger ordered on the web pages with key K; an
anonymous ``POST /orders`` with the same key and body got the passenger's
order and its access token. Keys are now scoped by principal, and anonymous
callers must send unguessable keys.
"""
from __future__ import annotations

from uuid import uuid4

from core.idempotency import estimated_bits, unguessable
from tests.webapp.page_session import PASSENGER_EMAIL, log_in, page_csrf_token
from tests.webapp.test_thin_path_api import first_option

REPLAYED = "Idempotent-Replayed"


def order(client, option, key, headers=None):
    return client.post("/api/v1/orders", json={"legs": option["legs"], "rider_category": "adult"},
                       headers={"Idempotency-Key": key, **(headers or {})})


def test_an_anonymous_replay_of_a_passengers_key_gets_its_own_order_not_the_passengers(app):
    passenger, stranger = app.test_client(), app.test_client()
    option = first_option(stranger)
    key = str(uuid4())
    log_in(passenger, PASSENGER_EMAIL)
    csrf = {"X-CSRFToken": page_csrf_token(passenger)}
    mine = order(passenger, option, key, csrf)
    assert mine.status_code == 201 and REPLAYED not in mine.headers
    assert order(passenger, option, key, csrf).headers.get(REPLAYED) == "true"  # the passenger's retry replays

    theirs = order(stranger, option, key)
    assert theirs.status_code == 201
    assert REPLAYED not in theirs.headers
    assert theirs.json["id"] != mine.json["id"]
    assert theirs.json["access_token"] != mine.json["access_token"]
    stolen = {"Authorization": f"Bearer {theirs.json['access_token']}"}
    assert stranger.get(f"/api/v1/orders/{mine.json['id']}", headers=stolen).status_code in (403, 404)


def test_an_anonymous_caller_with_a_short_or_patterned_key_is_refused(client):
    option = first_option(client)
    for key in ("demo-1", "order-17", "k" * 40, "checkout-000000000000000001"):
        response = order(client, option, key)
        assert response.status_code == 422, key
        assert response.json["error"]["code"] == "idempotency_key_guessable"
        assert response.json["error"]["details"][0]["field"] == "Idempotency-Key"
    assert order(client, option, str(uuid4())).status_code == 201


def test_bearer_callers_keep_short_keys_in_their_own_scope(client):
    option = first_option(client)
    passenger = {"Authorization": "Bearer demo-passenger"}
    first = order(client, option, "k-1", passenger)
    assert first.status_code == 201
    replay = order(client, option, "k-1", passenger)
    assert replay.headers.get(REPLAYED) == "true" and replay.json["id"] == first.json["id"]
    admin = order(client, option, "k-1", {"Authorization": "Bearer demo-admin"})
    assert admin.status_code == 201 and REPLAYED not in admin.headers and admin.json["id"] != first.json["id"]


def test_a_guests_order_token_is_its_own_scope(client):
    option = first_option(client)
    created = order(client, option, str(uuid4())).json
    other = order(client, option, str(uuid4())).json
    pay = {"method": "card", "card_token": "tok_ok"}
    paid = client.post(f"/api/v1/orders/{created['id']}/payment", json=pay,
                       headers={"Authorization": f"Bearer {created['access_token']}", "Idempotency-Key": "pay-1"})
    assert paid.status_code == 200
    elsewhere = client.post(f"/api/v1/orders/{created['id']}/payment", json=pay,
                            headers={"Authorization": f"Bearer {other['access_token']}", "Idempotency-Key": "pay-1"})
    assert REPLAYED not in elsewhere.headers and elsewhere.status_code in (403, 404)


def test_random_keys_pass_the_estimate_and_typed_ones_do_not():
    import secrets

    assert all(unguessable(str(uuid4())) and unguessable(uuid4().hex) for _ in range(200))
    assert all(unguessable(secrets.token_urlsafe(16)) for _ in range(200))
    assert estimated_bits("aaaaaaaaaaaaaaaaaaaaaaaa") == 0
    assert not unguessable("order-2026-12-02-0001")
