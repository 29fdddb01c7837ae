"""Thin path in-process: quote + order + payment (with in-process clearing) per second,
against a trivial endpoint (GET /api/v1/health) of the same app, on a fresh SQLite database."""
from __future__ import annotations

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

ROUNDS = 200


def _timed(action: Callable[[], None], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def _report(name: str, samples: list[float]) -> float:
    rate = len(samples) / sum(samples)
    p95 = statistics.quantiles(samples, n=20)[18] * 1000
    print(f"{name:<34} {rate:>9.1f}/s   p50 {statistics.median(samples) * 1000:6.2f} ms   p95 {p95:6.2f} ms")
    return rate


def main(rounds: int = ROUNDS) -> None:
    import logging

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({"FAREBRIDGE_INSTANCE_DIR": tmp,
                                      "FAREBRIDGE_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}"})
        upgrade(settings.database_url)
        runtime = Runtime.from_settings(settings)
        load_demo(runtime.uow())
        client = create_app(runtime=runtime).test_client()
        logging.disable(logging.INFO)
        at = f"{date.today() + timedelta(days=1)}T08:00"
        journeys_url = f"/api/v1/journeys?from=ALT_EICH_WALDWEG&to=BGS_SONN_BUCHENWEG&at={at}"
        legs = client.get(journeys_url).json["options"][0]["legs"]

        def health() -> None:
            assert client.get("/api/v1/health").status_code == 200

        def journeys() -> None:
            assert client.get(journeys_url).status_code == 200

        def purchase() -> None:
            order = client.post("/api/v1/orders", json={"legs": legs}).json
            paid = client.post(f"/api/v1/orders/{order['id']}/payment", json={"method": "card", "card_token": "tok_ok"},
                               headers={"Authorization": f"Bearer {order['access_token']}"})
            assert paid.status_code == 200

        print(f"{rounds} rounds each, Flask test client, SQLite, clearing in-process")
        base = _report("GET /health (baseline)", _timed(health, rounds))
        plan = _report("GET /journeys (plan + price)", _timed(journeys, rounds))
        buy = _report("order + payment + clearing", _timed(purchase, rounds))
        print(f"ratio journeys/health {plan / base:.3f}, purchase/health {buy / base:.3f}")
        runtime.engine.dispose()
