"""The sandbox provider's captures live in the database: a refund on another process or after a restart works.

Issue 14: with four gunicorn workers, 15 of 20 refunds landed on a worker
that had not seen the capture and got ``409 refund_refused_by_provider``.
Here "another process" is a fresh provider object (and a fresh app) on the
same database, with nothing shared in memory.
"""
from __future__ import annotations

from core.money import Money
from tests.conftest import make_settings, unguessable_key
from tests.webapp.test_thin_path_api import first_option
from ticketing.payment_providers import SandboxCardProvider, forget_sandboxes, sandbox_store_url

EUR_20 = Money(2000, "EUR")


def test_a_fresh_provider_on_the_same_store_refunds_a_capture_made_by_another(runtime):
    url = sandbox_store_url(runtime.settings.database_url, runtime.settings.instance_dir)
    first = SandboxCardProvider(store_url=url)
    captured = first.capture(EUR_20, "tok_ok", "order-1")
    first.dispose()

    second = SandboxCardProvider(store_url=url)  # another worker, or the same after a restart
    again = second.capture(EUR_20, "tok_ok", "order-1")
    assert (again.captured, again.reference) == (True, captured.reference)
    assert second.capture_count("order-1") == 1
    assert second.refund("order-1", Money(1500, "EUR")).refunded
    third = SandboxCardProvider(store_url=url)
    assert third.refund(captured.reference, Money(600, "EUR")).failure_reason == "exceeds_captured_amount"
    assert third.refund(captured.reference, Money(500, "EUR")).refunded
    assert third.refunded_minor("order-1") == 2000
    second.dispose()
    third.dispose()


def test_transient_attempts_are_counted_across_providers(runtime):
    url = sandbox_store_url(runtime.settings.database_url, runtime.settings.instance_dir)
    providers = [SandboxCardProvider(transient_failures=1, store_url=url) for _ in range(2)]
    outcomes = []
    for provider in providers:
        try:
            outcomes.append(provider.capture(EUR_20, "tok_transient", "order-t").captured)
        except Exception as error:  # noqa: BLE001 - the simulated timeout
            outcomes.append(type(error).__name__)
    assert outcomes == ["TransientProviderError", True]
    for provider in providers:
        provider.dispose()


def test_a_ticket_paid_on_one_app_is_refunded_by_another_app_on_the_same_database(demo, tmp_path):
    from webapp import create_app

    paying = create_app(runtime=demo).test_client()
    option = first_option(paying)
    created = paying.post("/api/v1/orders", json={"legs": option["legs"], "rider_category": "adult"},
                          headers={"Idempotency-Key": unguessable_key("two-apps")}).json
    guest = {"Authorization": f"Bearer {created['access_token']}"}
    paid = paying.post(f"/api/v1/orders/{created['id']}/payment", json={"method": "card", "card_token": "tok_ok"},
                       headers={**guest, "Idempotency-Key": "pay"})
    assert paid.status_code == 200

    forget_sandboxes()  # nothing of the first process's provider survives
    from core.runtime import Runtime

    other = Runtime.from_settings(make_settings(tmp_path, demo.settings.database_url,
                                                FAREBRIDGE_INSTANCE_DIR=str(demo.settings.instance_dir)))
    refunding = create_app(runtime=other).test_client()
    refunded = refunding.post(f"/api/v1/tickets/{paid.json['ticket']['id']}/refund", json={},
                              headers={**guest, "Idempotency-Key": "refund"})
    assert refunded.status_code == 201, refunded.json
    assert refunded.json["amount"] == created["total"]
    other.engine.dispose()
    forget_sandboxes()
