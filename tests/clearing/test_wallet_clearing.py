"""Wallet money in the ledger, on SQLite and PostgreSQL: top-ups owe the passenger, wallet sales pay operators."""
from __future__ import annotations

from sqlalchemy import func, select

from clearing.ledger import balances, ledger_total
from core.outbox import pending_count
from tests.webapp.test_thin_path_api import first_option
from ticketing.wallets import Wallet

PASSENGER = {"Authorization": "Bearer demo-passenger"}


def test_wallet_liability_equals_the_wallet_balances_after_top_up_and_wallet_purchase(client, demo):
    wallet_id = client.post("/api/v1/wallets", headers=PASSENGER).json["id"]
    topped = client.post(f"/api/v1/wallets/{wallet_id}/topups", json={"amount": "20.00", "card_token": "tok_ok"},
                         headers={**PASSENGER, "Idempotency-Key": "top-up-1"})
    assert topped.status_code == 201
    created = client.post("/api/v1/orders", json={"legs": first_option(client)["legs"], "rider_category": "adult"},
                          headers=PASSENGER).json
    paid = client.post(f"/api/v1/orders/{created['id']}/payment", json={"method": "wallet", "wallet_id": wallet_id},
                       headers=PASSENGER)
    assert paid.status_code == 200, paid.json
    price = created["total_minor"]

    with demo.session_factory() as session:
        assert pending_count(session) == 0  # the demo top-up, this top-up and the sale were all cleared
        books = balances(session)
        held = session.scalar(select(func.sum(Wallet.balance_minor)))
        assert ledger_total(session) == 0
    assert held == 5000 + 2000 - price
    assert books["wallet_liability:EUR"] == -held
    assert books["psp_receivable:EUR"] == 5000 + 2000  # card money came in through top-ups only
    payables = {code: amount for code, amount in books.items() if code.startswith("operator_payable:")}
    assert sum(payables.values()) == -price
    assert set(payables) == {"operator_payable:SWA:EUR", "operator_payable:RBA:EUR", "operator_payable:BVB:EUR"}
