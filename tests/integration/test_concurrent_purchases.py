"""Concurrent purchases over HTTP against gunicorn (4 workers) on PostgreSQL, clearing in-process.

500 card purchases, 100 of them sent twice at the same moment with the same
Idempotency-Keys and bodies, and 200 wallet purchases against ten wallets that
cover only some of them. Afterwards the database must show one order, one
payment and one ticket per purchase, every replay the same ticket, no negative
balance, every balance equal to the sum of its entries, and balanced books.
"""
from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench.purchases_http import HttpClient, gunicorn, journey_legs, server_env
from clearing.ledger import balances, ledger_total
from core.outbox import pending_count
from tests.conftest import unguessable_key
from ticketing.models import Order, Payment, Ticket
from ticketing.wallets import Wallet, WalletEntry
from webapp.users import create_user

pytestmark = [pytest.mark.postgres]

CARD_PURCHASES, REPLAYED = 500, 100
WALLETS, WALLET_PURCHASES = 10, 200
TOP_UP = "50.00"
CLIENT_THREADS = 24


@pytest.fixture
def server(tmp_path: Path, postgres_url: str) -> Iterator[tuple[HttpClient, dict[str, str], Path]]:
    from tests.conftest import _truncate_postgres

    _truncate_postgres(postgres_url)
    env = server_env(postgres_url, tmp_path / "instance")
    subprocess.run([sys.executable, "-m", "webapp.cli", "demo", "load"], env=env, check=True, capture_output=True,
                   timeout=120)
    log = tmp_path / "gunicorn.log"
    try:
        with gunicorn(env, log, workers=4, threads=4) as client:
            yield client, env, log
    finally:
        sys.stdout.write("--- gunicorn.log, problems (tail)\n" + "".join(problems(log)[-20:]))


def problems(log: Path) -> list[str]:
    """Unhandled errors, worker timeouts, failed relays."""
    return [line for line in log.read_text().splitlines(True)
            if any(level in line for level in (" ERROR ", " WARNING ", "CRITICAL", "Traceback"))]


IN_PROGRESS_ANSWERS = Counter[str]()


def call(client: HttpClient, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
         ) -> tuple[int, Any]:
    """A request; while the same key is still in progress elsewhere (409), ask again until it answers."""
    deadline = time.monotonic() + 60
    while True:
        status, answer, _ = client.call(method, path, body, headers)
        in_progress = status == 409 and answer["error"]["code"] == "idempotency_in_progress"
        if not in_progress or time.monotonic() > deadline:
            return status, answer
        IN_PROGRESS_ANSWERS[path] += 1
        time.sleep(0.05)


def card_purchase(client: HttpClient, legs: list[dict[str, Any]], key: str, card: str) -> tuple[str, str]:
    status, order = call(client, "POST", "/api/v1/orders", {"legs": legs, "rider_category": "adult"},
                         {"Idempotency-Key": unguessable_key(f"order-{key}")})
    assert status == 201, order
    status, paid = call(client, "POST", f"/api/v1/orders/{order['id']}/payment",
                        {"method": "card", "card_token": card},
                        {"Authorization": f"Bearer {order['access_token']}", "Idempotency-Key": f"pay-{key}"})
    assert status == 200, paid
    return order["id"], paid["ticket"]["id"]


def wallet_purchase(client: HttpClient, legs: list[dict[str, Any]], key: str, token: str,
                    wallet_id: str) -> tuple[str, str]:
    """``(wallet_id, "paid" or the decline reason)``."""
    auth = {"Authorization": f"Bearer {token}"}
    status, order = call(client, "POST", "/api/v1/orders", {"legs": legs, "rider_category": "adult"},
                         {**auth, "Idempotency-Key": f"order-{key}"})
    assert status == 201, order
    status, paid = call(client, "POST", f"/api/v1/orders/{order['id']}/payment",
                        {"method": "wallet", "wallet_id": wallet_id}, {**auth, "Idempotency-Key": f"pay-{key}"})
    assert status in (200, 402), paid
    return wallet_id, "paid" if status == 200 else paid["error"]["details"]["reason"]


def passengers_with_wallets(client: HttpClient, url: str) -> dict[str, str]:
    """Ten passengers, each with a wallet topped up through the API: wallet id -> token."""
    engine = create_engine(url)
    with Session(engine) as session:
        tokens = [create_user(session, "passenger")[1] for _ in range(WALLETS)]
        session.commit()
    engine.dispose()
    wallets = {}
    for number, token in enumerate(tokens):
        auth = {"Authorization": f"Bearer {token}"}
        status, wallet = call(client, "POST", "/api/v1/wallets", headers=auth)
        assert status == 201, wallet
        status, topped = call(client, "POST", f"/api/v1/wallets/{wallet['id']}/topups",
                              {"amount": TOP_UP, "card_token": "tok_ok"}, {**auth, "Idempotency-Key": f"w{number}"})
        assert status == 201, topped
        wallets[wallet["id"]] = token
    return wallets


def twice_at_once(action: Callable[[], tuple[str, str]]) -> list[Callable[[], tuple[str, str]]]:
    """Two jobs that start ``action`` at the same moment (they are queued next to each other)."""
    barrier = threading.Barrier(2, timeout=60)

    def job() -> tuple[str, str]:
        barrier.wait()
        return action()

    return [job, job]


def test_concurrent_purchases_and_wallet_spends_leave_no_duplicates_and_no_overdraft(server, postgres_url):
    client, env, log = server
    IN_PROGRESS_ANSWERS.clear()
    legs, price = journey_legs(client)
    wallets = passengers_with_wallets(client, postgres_url)
    per_wallet = 5000 // price  # what 50.00 covers
    assert 0 < per_wallet < WALLET_PURCHASES // WALLETS

    units: list[tuple[str, list[Callable[[], tuple[str, str]]]]] = []
    for i in range(CARD_PURCHASES):
        card = "tok_transient" if i % 10 == 0 else "tok_ok"  # retried inside the request, captured once

        def purchase(key: str = f"card-{i}", card: str = card) -> tuple[str, str]:
            return card_purchase(client, legs, key, card)

        units.append((f"card-{i}", twice_at_once(purchase) if i < REPLAYED else [purchase]))
    wallet_ids = list(wallets)
    for j in range(WALLET_PURCHASES):
        wallet_id = wallet_ids[j % WALLETS]

        def spend(key: str = f"wallet-{j}", wallet_id: str = wallet_id) -> tuple[str, str]:
            return wallet_purchase(client, legs, key, wallets[wallet_id], wallet_id)

        units.append((f"wallet-{j}", [spend]))
    random.Random(7).shuffle(units)
    jobs = [(name, job) for name, pair in units for job in pair]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
        futures = [(name, pool.submit(job)) for name, job in jobs]
        results: dict[str, list[tuple[str, str]]] = {}
        for name, future in futures:
            results.setdefault(name, []).append(future.result())
    elapsed = time.monotonic() - started
    sys.stdout.write(f"{len(jobs)} purchases in {elapsed:.1f} s; in progress: {IN_PROGRESS_ANSWERS.total()}\n")
    assert IN_PROGRESS_ANSWERS.total() > 0  # the replays really raced their originals

    card_results = {name: answers for name, answers in results.items() if name.startswith("card-")}
    replays = [answers for answers in card_results.values() if len(answers) == 2]
    assert len(replays) == REPLAYED
    assert all(first == second for first, second in replays)  # the same order and the same ticket
    outcomes = Counter(results[name][0] for name in results if name.startswith("wallet-"))
    assert outcomes == Counter({(w, "paid"): per_wallet for w in wallets}) + Counter(
        {(w, "insufficient_funds"): WALLET_PURCHASES // WALLETS - per_wallet for w in wallets})

    # Deliver what a concurrent relay may have left pending (SKIP LOCKED), as the periodic relay would.
    subprocess.run([sys.executable, "-m", "webapp.cli", "relay", "--once"], env=env, check=True, capture_output=True,
                   timeout=120)
    engine = create_engine(postgres_url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Order)) == CARD_PURCHASES + WALLET_PURCHASES
        paid_orders = CARD_PURCHASES + WALLETS * per_wallet
        captured = select(Payment.order_id, func.count()).where(Payment.status == "captured").group_by(Payment.order_id)
        assert Counter(count for _order, count in session.execute(captured)) == Counter({1: paid_orders})
        tickets = select(Ticket.order_id, func.count()).group_by(Ticket.order_id)
        assert Counter(count for _order, count in session.execute(tickets)) == Counter({1: paid_orders})
        card_tickets = {ticket for answers in card_results.values() for _order, ticket in answers}
        assert card_tickets == set(
            session.scalars(select(Ticket.id).join(Payment, Payment.id == Ticket.payment_id)
                            .where(Payment.method == "card")))

        held = dict(session.execute(select(Wallet.id, Wallet.balance_minor)).all())
        entries = dict(session.execute(select(WalletEntry.wallet_id, func.sum(WalletEntry.amount_minor))
                                       .group_by(WalletEntry.wallet_id)).all())
        assert held == entries
        assert min(held.values()) >= 0
        assert {held[w] for w in wallets} == {5000 - per_wallet * price}

        assert pending_count(session) == 0
        assert ledger_total(session) == 0
        assert balances(session)["wallet_liability:EUR"] == -sum(held.values())
    engine.dispose()
    assert problems(log) == []  # the time is printed above, not asserted: speed is bench/purchases_http's job
