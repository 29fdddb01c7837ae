"""Page load times in-process on the demo data (issue 6: under 300 ms p95), against GET /api/v1/health
measured in the same run.

Every page of the URL map without arguments is loaded as each persona allowed
to open it (anonymous, passenger, operator, admin), so pages added later are
measured too. The login POST is listed apart: Argon2 is slow on purpose.

``python -m bench.pages [--quick]`` (quick: 20 loads each instead of 200, 5 logins).
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from bench.in_process import demo_app, p50_ms, p95_ms, timed
from webapp.demo import DEMO_PASSWORD, demo_email
from webapp.web.session_auth import PAGE_ACCESS

ROUNDS, QUICK_ROUNDS = 200, 20
TARGET_P95_MS = 300.0
PERSONAS = {"anonymous": None, "passenger": "demo-passenger", "operator": "demo-operator-rba", "admin": "demo-admin"}


def _report(name: str, samples: list[float]) -> float:
    p95 = p95_ms(samples)
    print(f"{name:<44} p50 {p50_ms(samples):7.2f} ms   p95 {p95:7.2f} ms")
    return p95


def _page_csrf(client: FlaskClient) -> str:
    html = client.get("/login").get_data(as_text=True)
    return html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def _logged_in(app: Flask, token: str | None) -> FlaskClient:
    client = app.test_client()
    if token:
        response = client.post("/login", data={"email": demo_email(token), "password": DEMO_PASSWORD,
                                               "csrf_token": _page_csrf(client)})
        assert response.status_code == 302, response.status_code
    return client


def _pages(app: Flask) -> list[tuple[str, tuple[str, ...]]]:
    pages = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.endpoint.endswith("static") or rule.arguments:
            continue
        if "GET" in rule.methods:
            pages.append((rule.rule, getattr(app.view_functions[rule.endpoint], PAGE_ACCESS, ())))
    return sorted(pages)


def main(rounds: int = ROUNDS, quick: bool = False) -> None:
    if quick:
        rounds = min(rounds, QUICK_ROUNDS)
    logins = 5 if quick else max(rounds // 10, 20)
    with demo_app({"FAREBRIDGE_LOGIN_RATE_LIMIT": "100000/minute"}) as app:
        clients = {persona: _logged_in(app, token) for persona, token in PERSONAS.items()}
        anonymous = clients["anonymous"]

        def get(client: FlaskClient, path: str) -> Callable[[], None]:
            def load() -> None:
                response = client.get(path)
                assert response.status_code < 400, (path, response.status_code)
                response.get_data()
            return load

        print(f"{rounds} loads each, Flask test client, SQLite, demo data")
        baseline = _report("GET /api/v1/health (baseline)", timed(get(anonymous, "/api/v1/health"), rounds))
        worst, slowest, loads = 0.0, "", 0
        for path, allowed in _pages(app):
            for persona, client in clients.items():
                if persona in allowed:
                    name = f"GET {path} ({persona})"
                    p95 = _report(name, timed(get(client, path), rounds))
                    loads += 1
                    if p95 > worst:
                        worst, slowest = p95, name

        def log_in() -> None:
            assert _logged_in(app, "demo-passenger") is not None

        login_p95 = _report("GET /login + POST /login (Argon2)", timed(log_in, logins))
        print(f"slowest page p95 {worst:.2f} ms = {worst / baseline:.1f} x health p95; "
              f"target {TARGET_P95_MS:.0f} ms: {'met' if worst < TARGET_P95_MS else 'MISSED'}; "
              f"login p95 {login_p95:.0f} ms")
    print(json.dumps({"bench": "pages", "quick": quick, "rounds": rounds, "pages_measured": loads,
                      "health_p95_ms": round(baseline, 2), "slowest_page": slowest,
                      "slowest_page_p95_ms": round(worst, 2), "slowest_page_x_health": round(worst / baseline, 1),
                      "login_p95_ms": round(login_p95, 1), "target_met": worst < TARGET_P95_MS}))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
