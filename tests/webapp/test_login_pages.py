"""Logging in to the pages with e-mail and password; the session ends at logout or when the password changes."""
from __future__ import annotations

from tests.webapp.page_session import (
    ADMIN_EMAIL,
    PASSENGER_EMAIL,
    log_in,
    logged_in_as,
    operator_email,
    page_csrf_token,
)
from webapp.users import set_password, user_for_email


def test_the_demo_users_log_in_and_land_where_their_work_is(client):
    homes = {ADMIN_EMAIL: "/admin/tariffs", operator_email("SWA"): "/portal/", PASSENGER_EMAIL: "/book"}
    for email, home in homes.items():
        response = log_in(client, email)
        assert response.status_code == 302 and response.headers["Location"] == home
        assert logged_in_as(client) == email
        client.post("/logout", data={"csrf_token": page_csrf_token(client)})


def test_a_wrong_password_is_refused_with_a_message(client):
    response = log_in(client, PASSENGER_EMAIL, "wrong-password")
    assert response.status_code == 401
    assert "The e-mail or the password is not right." in response.get_data(as_text=True)
    assert logged_in_as(client) is None


def test_an_unknown_email_is_refused_the_same_way(client):
    response = log_in(client, "nobody@farebridge.example")
    assert response.status_code == 401
    assert "The e-mail or the password is not right." in response.get_data(as_text=True)


def test_the_email_is_not_case_sensitive(client):
    assert log_in(client, ADMIN_EMAIL.upper()).status_code == 302


def test_login_returns_to_the_page_that_asked_but_never_to_another_site(client):
    assert log_in(client, ADMIN_EMAIL, next="/?lang=de").headers["Location"] == "/?lang=de"
    client.post("/logout", data={"csrf_token": page_csrf_token(client)})
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        assert log_in(client, ADMIN_EMAIL, next=elsewhere).headers["Location"] == "/admin/tariffs"
        client.post("/logout", data={"csrf_token": page_csrf_token(client)})


def test_logout_ends_the_session(client):
    log_in(client, ADMIN_EMAIL)
    response = client.post("/logout", data={"csrf_token": page_csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert logged_in_as(client) is None


def test_logout_is_not_a_get_link(client):
    log_in(client, ADMIN_EMAIL)
    assert client.get("/logout").status_code == 405
    assert logged_in_as(client) == ADMIN_EMAIL


def test_a_new_password_ends_the_open_sessions(client, demo):
    log_in(client, ADMIN_EMAIL)
    with demo.uow() as uow:
        set_password(user_for_email(uow.session, ADMIN_EMAIL), "another-long-password")
        uow.commit()
    assert logged_in_as(client) is None
    assert log_in(client, ADMIN_EMAIL, "another-long-password").status_code == 302
