"""Pages call the JSON API with their session: reads as the logged-in user, writes only with the CSRF header.

Bearer tokens work as before and need no CSRF token.
"""
from __future__ import annotations

from tests.webapp.page_session import ADMIN_EMAIL, PASSENGER_EMAIL, log_in, page_csrf_token


def test_a_session_reads_the_api_as_its_user(client):
    assert client.get("/api/v1/tariffs").status_code == 401
    log_in(client, ADMIN_EMAIL)
    assert client.get("/api/v1/tariffs").status_code == 200


def test_a_session_has_only_its_users_role(client):
    log_in(client, PASSENGER_EMAIL)
    assert client.get("/api/v1/tariffs").status_code == 403


def test_a_write_with_the_session_needs_the_pages_csrf_token(client):
    log_in(client, PASSENGER_EMAIL)
    assert client.post("/api/v1/wallets", json={}).status_code == 401
    assert client.post("/api/v1/wallets", json={}, headers={"X-CSRFToken": "forged"}).status_code == 401
    token = page_csrf_token(client)
    response = client.post("/api/v1/wallets", json={}, headers={"X-CSRFToken": token})
    assert response.status_code == 200  # the demo passenger's wallet exists
    assert response.get_json()["balance"] == "50.00"


def test_a_csrf_token_without_a_session_is_nobody(client):
    token = page_csrf_token(client)
    assert client.post("/api/v1/wallets", json={}, headers={"X-CSRFToken": token}).status_code == 401


def test_bearer_tokens_need_no_csrf_token_and_win_over_the_session(client):
    log_in(client, ADMIN_EMAIL)
    response = client.post("/api/v1/wallets", json={}, headers={"Authorization": "Bearer demo-passenger"})
    assert response.status_code == 200
    assert client.get("/api/v1/tariffs", headers={"Authorization": "Bearer demo-passenger"}).status_code == 403


def test_an_unknown_bearer_token_does_not_fall_back_to_the_session(client):
    log_in(client, ADMIN_EMAIL)
    assert client.get("/api/v1/tariffs", headers={"Authorization": "Bearer wrong"}).status_code == 401
