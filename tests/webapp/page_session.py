"""Log a Flask test client in through the login page, as a browser would (for page and session tests)."""
from __future__ import annotations

import re

from flask.testing import FlaskClient

DEMO_PASSWORD = "farebridge-demo"
ADMIN_EMAIL = "demo-admin@farebridge.example"
PASSENGER_EMAIL = "demo-passenger@farebridge.example"
META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def operator_email(operator_id: str) -> str:
    return f"demo-operator-{operator_id.lower()}@farebridge.example"


def page_csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The token a page hands its forms and scripts (<meta name="csrf-token">)."""
    match = META_TOKEN.search(client.get(path).get_data(as_text=True))
    assert match, f"{path} has no csrf-token meta tag"
    return match.group(1)


def log_in(client: FlaskClient, email: str, password: str = DEMO_PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    token = page_csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token, **extra})


WHO = re.compile(r'<span class="who" data-role="([a-z]+)">([^\s<]+)')


def logged_in_as(client: FlaskClient, path: str = "/") -> str | None:
    """The e-mail the page header shows for the session, or None."""
    match = WHO.search(client.get(path).get_data(as_text=True))
    return match.group(2) if match else None
