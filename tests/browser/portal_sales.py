"""Sales and a settlement on the live server, made as apps and the admin's scripts make them: through the API."""
from __future__ import annotations

from datetime import date
from typing import Any

from tests.conftest import unguessable_key
from webapp.demo.timetable import next_working_day

ADMIN_TOKEN = {"Authorization": "Bearer demo-admin"}
ORIGIN, DESTINATION = "ALT_EICH_WALDWEG", "BGS_SONN_BUCHENWEG"  # SWA, RBA and BVB


def _ok(response: Any, *statuses: int) -> Any:
    assert response.status in statuses, f"{response.url}: {response.status} {response.text()[:500]}"
    return response.json()


def buy_journeys(request: Any, riders: tuple[str, ...], tag: str) -> list[dict[str, Any]]:
    """Paid sales of the three-operator journey, one per rider category given (clearing runs in-process)."""
    at = f"{next_working_day(date.today())}T08:00"
    sold = []
    for n, rider in enumerate(riders):
        journeys = _ok(request.get(f"/api/v1/journeys?from={ORIGIN}&to={DESTINATION}&at={at}&rider={rider}"), 200)
        legs = journeys["options"][0]["legs"]
        created = _ok(request.post("/api/v1/orders", data={"legs": legs, "rider_category": rider},
                                   headers={"Idempotency-Key": unguessable_key(f"{tag}-order-{n}")}), 201)
        _ok(request.post(f"/api/v1/orders/{created['id']}/payment", data={"method": "card", "card_token": "tok_ok"},
                         headers={"Authorization": f"Bearer {created['access_token']}",
                                  "Idempotency-Key": f"{tag}-pay-{n}"}), 200)
        sold.append(created)
    return sold


def settlements_of(request: Any, operator_id: str) -> list[dict[str, Any]]:
    return _ok(request.get(f"/api/v1/operators/{operator_id}/settlements", headers=ADMIN_TOKEN), 200)["settlements"]


def settle(request: Any, period: str) -> dict[str, dict[str, Any]]:
    """Settle ``period`` (or find it settled by an earlier test of the run): operator id -> its settlement."""
    _ok(request.post("/api/v1/settlements", data={"period": period}, headers=ADMIN_TOKEN), 201, 409)
    found = {}
    for operator_id in ("RBA", "SWA", "BVB"):
        found[operator_id] = next(s for s in settlements_of(request, operator_id) if s["period"] == period)
    return found


def active_tariff_id(request: Any) -> int:
    tariffs = _ok(request.get("/api/v1/tariffs", headers=ADMIN_TOKEN), 200)["tariffs"]
    return next(t["id"] for t in tariffs if t["status"] == "active")


def activate(request: Any, version_id: int) -> None:
    _ok(request.post(f"/api/v1/tariffs/{version_id}/activate", headers=ADMIN_TOKEN), 200, 409)
