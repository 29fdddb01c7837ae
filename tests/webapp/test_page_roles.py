"""Role boundaries of every page and of the pages' session calls to the API.

The page checks walk the app's URL map, so a page added later is covered at
once: it must say who may open it (``@public`` or ``@login_required(*roles)``),
an anonymous visitor is sent to the login page, and a logged-in user without
the role gets the 403 page.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Blueprint, Flask
from werkzeug.routing import FloatConverter, IntegerConverter, Rule, UUIDConverter

from tests.webapp.page_session import ADMIN_EMAIL, PASSENGER_EMAIL, log_in, operator_email, page_csrf_token
from webapp.web.session_auth import PAGE_ACCESS, login_required

PERSONAS = {  # name: (e-mail, role)
    "anonymous": (None, "anonymous"),
    "passenger": (PASSENGER_EMAIL, "passenger"),
    "operator": (operator_email("RBA"), "operator"),
    "other operator": (operator_email("SWA"), "operator"),
    "admin": (ADMIN_EMAIL, "admin"),
}
OWN_OPERATOR = {"operator": "RBA", "other operator": "SWA"}  # an operator's pages name its own id
SAMPLE_ARGUMENTS = ((IntegerConverter, 1), (FloatConverter, 1.0),
                    (UUIDConverter, "00000000-0000-0000-0000-000000000000"))


def page_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if not rule.rule.startswith("/api/")
            and rule.endpoint != "static" and not rule.endpoint.endswith(".static")]


def sample_url(app: Flask, rule: Rule, operator_id: str | None = None) -> str:
    """The rule with made-up arguments (an operator's own id where one is asked for)."""
    values = {name: next((value for kind, value in SAMPLE_ARGUMENTS if isinstance(converter, kind)), "x")
              for name, converter in rule._converters.items()}
    if operator_id and "operator_id" in values:
        values["operator_id"] = operator_id
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def client_as(app: Flask, persona: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    email, _role = PERSONAS[persona]
    if email:
        assert log_in(client, email).status_code == 302
    return client


def probe_pages() -> Blueprint:
    """Pages of each kind of access, so that every branch below runs whatever pages the app has."""
    probe = Blueprint("probe", __name__, url_prefix="/probe")
    probe.add_url_rule("/staff", "staff", login_required("operator", "admin")(lambda: "staff"))
    probe.add_url_rule("/anyone", "anyone", login_required()(lambda: "anyone"))
    probe.add_url_rule("/trips/<int:trip_id>", "trip", login_required("passenger")(lambda trip_id: f"trip {trip_id}"))
    probe.add_url_rule("/close", "close", login_required("admin")(lambda: "closed"), methods=["POST"])
    return probe


@pytest.fixture
def pages_app(app):  # type: ignore[no-untyped-def]
    app.register_blueprint(probe_pages())
    return app


def test_every_page_says_who_may_open_it(app):
    silent = [rule.endpoint for rule in page_rules(app) if not hasattr(app.view_functions[rule.endpoint], PAGE_ACCESS)]
    assert silent == [], "mark these views @public or @login_required(*roles)"
    assert {rule.endpoint for rule in page_rules(app)} >= {"start.index", "auth.login", "auth.logout"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_opens_exactly_the_pages_of_its_role(pages_app, persona):
    app = pages_app
    client = client_as(app, persona)
    role = PERSONAS[persona][1]
    token = page_csrf_token(client)
    for rule in page_rules(app):
        allowed = getattr(app.view_functions[rule.endpoint], PAGE_ACCESS)
        url = sample_url(app, rule, OWN_OPERATOR.get(persona))
        if "GET" in rule.methods:
            response = client.get(url)
        elif role in allowed:
            continue  # a form action the persona may send: its own tests send it
        else:
            response = client.post(url, data={"csrf_token": token})
        where = f"{persona} {rule.methods} {url}"
        location = response.headers.get("Location", "")
        if role in allowed:
            assert response.status_code < 400 or (rule.arguments and response.status_code == 404), where
            assert not location.startswith("/login?"), where
        elif role == "anonymous":
            assert response.status_code == 302, where
            target = urlsplit(location)
            assert target.path == "/login" and parse_qs(target.query)["next"] == [url], where
        else:
            assert response.status_code == 403, where
            assert "You may not open this page" in response.get_data(as_text=True), where


def test_login_required_refuses_an_unknown_role():
    from webapp.web.session_auth import login_required

    with pytest.raises(ValueError, match="unknown role"):
        login_required("administrator")


API_BOUNDARIES = {  # (method, path): status for anonymous, passenger, operator RBA, operator SWA, admin
    ("GET", "/api/v1/tariffs"): (401, 403, 403, 403, 200),
    ("GET", "/api/v1/operators/RBA/settlements"): (401, 403, 200, 403, 200),
    ("GET", "/api/v1/operators/RBA/ledger"): (401, 403, 200, 403, 200),
    ("GET", "/api/v1/clearing/reconciliation"): (401, 403, 403, 403, 200),
    ("POST", "/api/v1/wallets"): (401, 200, 403, 403, 403),
    ("POST", "/api/v1/settlements"): (401, 403, 403, 403, 422),  # the admin passes; the empty body does not
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_pages_session_has_its_users_rights_in_the_api(app, persona):
    client = client_as(app, persona)
    headers = {"X-CSRFToken": page_csrf_token(client)}
    column = list(PERSONAS).index(persona)
    for (method, path), statuses in API_BOUNDARIES.items():
        response = client.open(path, method=method, headers=headers, json={} if method == "POST" else None)
        assert response.status_code == statuses[column], f"{persona} {method} {path}: {response.get_json()}"


def test_without_the_csrf_header_a_session_cannot_write_through_the_api(app):
    client = client_as(app, "admin")
    assert client.post("/api/v1/settlements", json={}).status_code == 401
    assert client.post("/api/v1/settlements", json={},
                       headers={"X-CSRFToken": page_csrf_token(client)}).status_code == 422
