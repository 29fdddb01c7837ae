"""Booking pages in-process: p95 of the booking, checkout and ticket pages (and the search's API calls),
against GET /api/v1/health of the same app in the same run, on a fresh SQLite database with the demo loaded.

The goal of issue 6 is a page load under 300 ms p95. The ticket page is the
heaviest: it reads the order, ticket, refunds and names, and draws the QR code
of a ~500 character signed token on the server (segno).
"""
from __future__ import annotations

import logging
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from core.config import Settings
from core.runtime import Runtime
from migrations.runner import upgrade
from webapp import create_app
from webapp.demo import load_demo
from webapp.web.tickets_pages import inline_qr

ROUNDS = 300
GOAL_MS = 300.0
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def _timed(action: Callable[[], None], rounds: int) -> list[float]:
    action()  # warm: templates compiled, pricing context cached
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def _p95_ms(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] * 1000


def _report(name: str, samples: list[float], base_p95: float | None = None) -> float:
    p95 = _p95_ms(samples)
    versus = f"   {p95 / base_p95:5.1f}x health" if base_p95 else ""
    verdict = "" if base_p95 is None else ("   ok" if p95 < GOAL_MS else f"   OVER {GOAL_MS:.0f} ms")
    print(f"{name:<41} p50 {statistics.median(samples) * 1000:7.2f} ms   p95 {p95:7.2f} ms{versus}{verdict}")
    return p95


def main(rounds: int = ROUNDS) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({"FAREBRIDGE_INSTANCE_DIR": tmp,
                                      "FAREBRIDGE_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}"})
        upgrade(settings.database_url)
        runtime = Runtime.from_settings(settings)
        load_demo(runtime.uow())
        client = create_app(runtime=runtime).test_client()
        logging.disable(logging.INFO)

        # One guest booking as the page makes it: the API order, the token proved to the session, the form payment.
        at = f"{date.today() + timedelta(days=1)}T08:00"
        journeys_url = f"/api/v1/journeys?from=ALT_EICH_WALDWEG&to=BGS_SONN_BUCHENWEG&at={at}&rider=adult"
        csrf_match = CSRF.search(client.get("/book").get_data(as_text=True))
        assert csrf_match
        csrf = csrf_match.group(1)
        legs = client.get(journeys_url).json["options"][0]["legs"]
        unpaid = client.post("/api/v1/orders", json={"legs": legs, "rider_category": "adult"}).json
        paid = client.post("/api/v1/orders", json={"legs": legs, "rider_category": "adult"}).json
        for order in (unpaid, paid):
            proved = client.post(f"/book/orders/{order['id']}/access", json={"access_token": order["access_token"]},
                                 headers={"X-CSRFToken": csrf})
            assert proved.status_code == 200
        payment = client.post(f"/book/orders/{paid['id']}/payment",
                              data={"csrf_token": csrf, "method": "card", "card_token": "tok_ok"})
        ticket_path = payment.headers["Location"].split("?")[0]

        def get(path: str) -> Callable[[], None]:
            def request() -> None:
                assert client.get(path).status_code == 200, path
            return request

        def first_view() -> None:
            inline_qr.cache_clear()
            get(ticket_path)()

        print(f"{rounds} requests each, Flask test client, SQLite, demo data; goal: pages p95 < {GOAL_MS:.0f} ms")
        base = _report("GET /api/v1/health (baseline)", _timed(get("/api/v1/health"), rounds))
        pages = [
            _report("GET /book (booking page)", _timed(get("/book"), rounds), base),
            _report("GET /book/orders/<id> (checkout)", _timed(get(f"/book/orders/{unpaid['id']}"), rounds), base),
            _report("GET /tickets/<id> (ticket, QR cached)", _timed(get(ticket_path), rounds), base),
            _report("GET /tickets/<id> (first view: QR drawn)", _timed(first_view, rounds // 5), base),
        ]
        _report("GET /api/v1/stops?q=wald (suggest)", _timed(get("/api/v1/stops?q=wald"), rounds), base)
        _report("GET /api/v1/journeys (the search)", _timed(get(journeys_url), rounds), base)
        print(f"slowest page p95 {max(pages):.2f} ms: {'within' if max(pages) < GOAL_MS else 'OVER'} the goal")
        runtime.engine.dispose()


if __name__ == "__main__":
    main()
