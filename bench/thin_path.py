"""Thin path in-process: quote + order + payment (with in-process clearing) per second,
against a trivial endpoint (GET /api/v1/health) of the same app, on a fresh SQLite database."""
from __future__ import annotations

from datetime import date, timedelta

from bench.in_process import demo_app, p50_ms, p95_ms, timed

ROUNDS = 200


def _report(name: str, samples: list[float]) -> float:
    rate = len(samples) / sum(samples)
    print(f"{name:<34} {rate:>9.1f}/s   p50 {p50_ms(samples):6.2f} ms   p95 {p95_ms(samples):6.2f} ms")
    return rate


def main(rounds: int = ROUNDS) -> None:
    with demo_app() as app:
        client = app.test_client()
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
        base = _report("GET /health (baseline)", timed(health, rounds))
        plan = _report("GET /journeys (plan + price)", timed(journeys, rounds))
        buy = _report("order + payment + clearing", timed(purchase, rounds))
        print(f"ratio journeys/health {plan / base:.3f}, purchase/health {buy / base:.3f}")
