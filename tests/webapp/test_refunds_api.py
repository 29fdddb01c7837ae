"""Refunds through the HTTP API, on SQLite and PostgreSQL (clearing runs in-process)."""
from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from tests.conftest import ADMIN, unguessable_key
from tests.webapp.test_thin_path_api import first_option, order, pay
from ticketing.models import PARTIALLY_REFUNDED, REFUNDED
from ticketing.refunds import Refund


def paid(client, key="order-1"):
    created = order(client, first_option(client), key=key).json
    response = pay(client, created, key=f"pay-{key}")
    assert response.status_code == 200, response.json
    return created, response.json


def owner(created) -> dict[str, str]:
    return {"Authorization": f"Bearer {created['access_token']}"}


def refund(client, ticket_id, body=None, headers=None, key="refund-1"):
    return client.post(f"/api/v1/tickets/{ticket_id}/refund", json=body,
                       headers={**(headers or {}), "Idempotency-Key": unguessable_key(key)})


def refund_count(app) -> int:
    with app.extensions["farebridge.runtime"].session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(Refund)))


def reconciliation(client, period):
    return client.get(f"/api/v1/clearing/reconciliation?period={period}", headers=ADMIN).json


def test_the_owner_refunds_part_of_a_ticket(client):
    created, payment = paid(client)
    ticket = payment["ticket"]
    response = refund(client, ticket["id"], {"amount": "1.50", "reason": "one leg not taken"}, owner(created))
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["amount"], body["amount_minor"], body["fee"], body["currency"]) == ("1.50", 150, "0.00", "EUR")
    assert (body["ticket_status"], body["refundable"], body["payment_method"]) == (PARTIALLY_REFUNDED, "5.60", "card")
    assert (body["ticket_id"], body["order_id"], body["reason"]) == (ticket["id"], created["id"], "one leg not taken")
    shown = client.get(f"/api/v1/tickets/{ticket['id']}", headers=owner(created)).json
    assert shown["status"] == PARTIALLY_REFUNDED


def test_without_a_body_the_whole_ticket_is_refunded_once(client):
    created, payment = paid(client)
    ticket = payment["ticket"]
    response = client.post(f"/api/v1/tickets/{ticket['id']}/refund", headers={**owner(created),
                                                                              "Idempotency-Key": "all"})
    assert response.status_code == 201, response.json
    assert (response.json["amount"], response.json["ticket_status"], response.json["refundable"]) == (
        "7.10", REFUNDED, "0.00")
    again = refund(client, ticket["id"], {}, owner(created), key="all-again")
    assert (again.status_code, again.json["error"]["code"]) == (409, "already_refunded")


def test_the_same_key_and_body_replays_and_another_body_conflicts(client, app):
    created, payment = paid(client)
    ticket_id = payment["ticket"]["id"]
    first = refund(client, ticket_id, {"amount": "1.00"}, owner(created))
    again = refund(client, ticket_id, {"amount": "1.00"}, owner(created))
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (201, "true")
    assert again.json == first.json
    other = refund(client, ticket_id, {"amount": "2.00"}, owner(created))
    assert (other.status_code, other.json["error"]["code"]) == (409, "idempotency_key_reused")
    assert refund_count(app) == 1


def test_a_stranger_cannot_refund_but_an_admin_can(client, app):
    created, payment = paid(client)
    ticket_id = payment["ticket"]["id"]
    stranger, _ = paid(client, key="order-2")
    for headers in ({}, owner(stranger), {"Authorization": "Bearer demo-operator-rba"}):
        response = refund(client, ticket_id, {"amount": "1.00"}, headers, key=f"try-{len(headers)}")
        assert (response.status_code, response.json["error"]["code"]) == (403, "forbidden")
    assert refund_count(app) == 0
    by_admin = refund(client, ticket_id, {"reason": "operator strike"}, ADMIN)
    assert (by_admin.status_code, by_admin.json["amount"], by_admin.json["ticket_status"]) == (201, "7.10", REFUNDED)


def test_bad_amounts_are_clear_4xx(client, app):
    created, payment = paid(client)
    ticket_id = payment["ticket"]["id"]
    cases = [
        ({"amount": "abc"}, 422, "invalid_request"),
        ({"amount": 1.5}, 422, "invalid_request"),
        ({"amount": "1.505"}, 422, "validation_failed"),
        ({"amount": "0"}, 422, "validation_failed"),
        ({"amount": "7.11"}, 422, "amount_exceeds_refundable"),
        ({"amount": "1.00", "tip": "yes"}, 422, "invalid_request"),
        ({"reason": "x" * 501}, 422, "invalid_request"),
    ]
    for index, (body, status, code) in enumerate(cases):
        response = refund(client, ticket_id, body, owner(created), key=f"bad-{index}")
        assert (response.status_code, response.json["error"]["code"]) == (status, code), body
        assert response.json["error"]["details"][0]["field"] in ("amount", "tip", "reason"), body
    not_an_object = client.post(f"/api/v1/tickets/{ticket_id}/refund", data="[]", content_type="application/json",
                                headers=owner(created))
    assert not_an_object.status_code == 422
    assert refund(client, "no-such-ticket", {}, ADMIN, key="missing").status_code == 404
    assert refund_count(app) == 0


def test_reconciliation_has_no_difference_after_a_sale_and_a_partial_refund(client):
    created, payment = paid(client)
    period = payment["payment"]["created_at"][:7]
    assert refund(client, payment["ticket"]["id"], {"amount": "1.50"}, owner(created)).status_code == 201
    recon = reconciliation(client, period)
    assert (recon["payments_minor"], recon["refunds_minor"], recon["fees_minor"]) == (710, 150, 0)
    assert (recon["operator_shares_minor"], recon["reversed_shares_minor"]) == (560, 150)
    assert recon["difference"] == "0.00"
    assert recon["ledger_balanced"] is True
    assert recon["pending_events"] == 0


FLAT_WITH_FEES = {
    "format": "farebridge-native", "format_version": 2, "name": "VAU flat with refund fees",
    "currency": "EUR", "timezone": "Europe/Berlin", "valid_from": "2026-01-01",
    "rider_categories": [{"id": "adult", "is_default": True}],
    "products": [{"id": "ride", "scope": {}, "fare": {"kind": "flat", "amount": "2.00"}}],
    "refund_policy": {"fee": "0.50", "fee_percent": "10", "max_fee": "1.00", "until": "departure"},
}


def test_the_order_tariffs_refund_fee_is_kept_and_reconciliation_still_has_no_difference(client):
    upload = client.post("/api/v1/tariffs", headers=ADMIN, content_type="multipart/form-data", data={
        "file": (io.BytesIO(json.dumps(FLAT_WITH_FEES).encode()), "flat.json")})
    assert upload.status_code == 201, upload.json
    assert client.post(f"/api/v1/tariffs/{upload.json['id']}/activate", headers=ADMIN).status_code == 200
    created, payment = paid(client)
    assert created["total"] == "6.00"  # three rides at 2.00
    period = payment["payment"]["created_at"][:7]

    partial = refund(client, payment["ticket"]["id"], {"amount": "3.00"}, owner(created)).json
    assert (partial["amount"], partial["fee"], partial["refundable"]) == ("2.20", "0.80", "3.00")  # 0.50 + 0.30
    rest = refund(client, payment["ticket"]["id"], {}, owner(created), key="refund-2").json
    assert (rest["amount"], rest["fee"], rest["ticket_status"]) == ("2.20", "0.80", REFUNDED)

    recon = reconciliation(client, period)
    assert (recon["payments_minor"], recon["refunds_minor"], recon["fees_minor"]) == (600, 440, 160)
    assert (recon["operator_shares_minor"], recon["reversed_shares_minor"]) == (0, 600)
    assert recon["difference"] == "0.00"
    assert recon["ledger_balanced"] is True
