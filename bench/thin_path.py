"""Thin path in-process: quote + order + payment (with in-process clearing) per second,
against a trivial endpoint (GET /api/v1/health) of the same app, on a fresh SQLite database.

``python -m bench.thin_path [--quick]`` (quick: 10 rounds each instead of 200)."""
from __future__ import annotations

import json
import sys
from datetime import date, timedelta

from bench.in_process import demo_app, p50_ms, p95_ms, timed

ROUNDS, QUICK_ROUNDS = 200, 10


def _report(name: str, samples: list[float], key: str, figures: dict[str, object]) -> float:
    rate = len(samples) / sum(samples)
    p50, p95 = p50_ms(samples), p95_ms(samples)
    print(f"{name:<34} {rate:>9.1f}/s   p50 {p50:6.2f} ms   p95 {p95:6.2f} ms")
    figures.update({f"{key}_per_s": round(rate, 1), f"{key}_p50_ms": round(p50, 2), f"{key}_p95_ms": round(p95, 2)})
    return rate


def main(rounds: int = ROUNDS, quick: bool = False) -> None:
    if quick:
        rounds = min(rounds, QUICK_ROUNDS)
    figures: dict[str, object] = {"bench": "thin_path", "quick": quick, "rounds": rounds}
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
        base = _report("GET /health (baseline)", timed(health, rounds), "health", figures)
        plan = _report("GET /journeys (plan + price)", timed(journeys, rounds), "journeys", figures)
        buy = _report("order + payment + clearing", timed(purchase, rounds), "purchase", figures)
        print(f"ratio journeys/health {plan / base:.3f}, purchase/health {buy / base:.3f}")
    figures.update(journeys_health_ratio=round(plan / base, 3), purchase_health_ratio=round(buy / base, 3))
    print(json.dumps(figures))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
