"""Idempotency keys in the database, on SQLite and PostgreSQL."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from core import idempotency
from core.db import utcnow
from core.errors import Conflict


def test_first_claim_goes_ahead_and_the_stored_response_is_replayed(runtime):
    factory = runtime.session_factory
    assert idempotency.claim(factory, "POST /x", "k", "h1") is None
    idempotency.complete(factory, "POST /x", "k", 201, {"id": 7})
    assert idempotency.claim(factory, "POST /x", "k", "h1") == idempotency.StoredResponse(201, {"id": 7})


def test_the_same_key_with_another_body_is_a_conflict(runtime):
    factory = runtime.session_factory
    idempotency.claim(factory, "POST /x", "k", "h1")
    idempotency.complete(factory, "POST /x", "k", 201, {"id": 7})
    with pytest.raises(Conflict) as caught:
        idempotency.claim(factory, "POST /x", "k", "h2")
    assert caught.value.code == "idempotency_key_reused"


def test_a_key_in_progress_is_a_conflict_until_it_goes_stale(runtime):
    factory = runtime.session_factory
    start = utcnow()
    idempotency.claim(factory, "POST /x", "k", "h1", now=start)
    with pytest.raises(Conflict) as caught:
        idempotency.claim(factory, "POST /x", "k", "h1", now=start + timedelta(seconds=5))
    assert caught.value.code == "idempotency_in_progress"
    later = start + idempotency.STALE_AFTER + timedelta(seconds=1)
    assert idempotency.claim(factory, "POST /x", "k", "h1", now=later) is None


def test_released_keys_can_be_claimed_again(runtime):
    factory = runtime.session_factory
    idempotency.claim(factory, "POST /x", "k", "h1")
    idempotency.release(factory, "POST /x", "k")
    assert idempotency.claim(factory, "POST /x", "k", "h1") is None


def test_scopes_keep_equal_keys_apart(runtime):
    factory = runtime.session_factory
    assert idempotency.claim(factory, "POST /a", "k", "h1") is None
    assert idempotency.claim(factory, "POST /b", "k", "h2") is None


def test_concurrent_claims_of_one_key_let_exactly_one_through(runtime):
    factory = runtime.session_factory

    def attempt(_: int) -> str:
        try:
            return "go" if idempotency.claim(factory, "POST /race", "k", "h") is None else "replay"
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(16)))
    assert outcomes.count("go") == 1
    assert outcomes.count("conflict") == 15
