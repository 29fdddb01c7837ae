"""CSRF on forms, the login rate limit, secure headers and session cookies."""
from __future__ import annotations

import dataclasses

from core.runtime import Runtime
from tests.webapp.page_session import ADMIN_EMAIL, PASSENGER_EMAIL, log_in, logged_in_as, page_csrf_token
from webapp import create_app


def test_a_form_without_its_csrf_token_is_refused_with_a_page(client):
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": "farebridge-demo"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "The form had expired or did not come from this site." in response.get_data(as_text=True)
    assert logged_in_as(client) is None


def test_a_forged_csrf_token_cannot_log_a_user_out(client):
    log_in(client, ADMIN_EMAIL)
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.post("/logout").status_code == 400
    assert logged_in_as(client) == ADMIN_EMAIL


def test_the_csrf_token_of_one_session_does_not_work_in_another(app):
    victim, attacker = app.test_client(), app.test_client()
    log_in(victim, ADMIN_EMAIL)
    foreign = page_csrf_token(attacker)
    assert victim.post("/logout", data={"csrf_token": foreign}).status_code == 400
    assert victim.post("/api/v1/settlements", json={}, headers={"X-CSRFToken": foreign}).status_code == 401


def test_the_sixth_login_attempt_in_a_minute_is_refused_even_with_the_right_password(client):
    for _attempt in range(5):
        assert log_in(client, PASSENGER_EMAIL, "wrong-password").status_code == 401
    response = log_in(client, PASSENGER_EMAIL)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert logged_in_as(client) is None


def test_the_login_limit_counts_per_address_and_email(app):
    client = app.test_client()
    for _attempt in range(5):
        log_in(client, PASSENGER_EMAIL, "wrong-password")
    assert log_in(client, PASSENGER_EMAIL).status_code == 429
    assert log_in(client, ADMIN_EMAIL).status_code == 302  # another account from the same address
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert log_in(elsewhere, PASSENGER_EMAIL).status_code == 302  # the same account from another address


def test_pages_and_api_send_secure_headers(client):
    for path in ("/", "/login", "/api/v1/health"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers  # plain http in development and tests


def test_pages_have_no_inline_script_or_style(client):
    log_in(client, ADMIN_EMAIL)
    for path in ("/", "/login", "/nowhere"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html and "onclick" not in html


def test_the_session_cookie_is_http_only_and_same_site(client):
    log_in(client, ADMIN_EMAIL)
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax" and not cookie.secure


def test_in_production_http_is_redirected_and_cookies_are_secure(demo, tmp_path):
    settings = dataclasses.replace(demo.settings, force_https=True)
    app = create_app(runtime=Runtime(settings, demo.engine, demo.session_factory))
    client = app.test_client()
    response = client.get("/login")
    assert response.status_code in (301, 302) and response.headers["Location"].startswith("https://")
    secure = app.test_client()
    page = secure.get("/login", base_url="https://farebridge.example")
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert secure.get_cookie("session", domain="farebridge.example").secure


def test_a_page_error_is_a_page_and_an_api_error_is_json(client):
    page = client.get("/nowhere")
    assert page.status_code == 404 and page.mimetype == "text/html" and "Page not found" in page.get_data(as_text=True)
    api = client.get("/api/v1/nowhere")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"
