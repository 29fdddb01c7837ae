from __future__ import annotations

import time
from typing import Any

from kombu import Connection
from sqlalchemy import text

from core.outbox import pending_count
from webapp.api.openapi import ApiBlueprint
from webapp.extensions import runtime
from webapp.schemas.network import HealthSchema

bp = ApiBlueprint("health", __name__, description="Is the service up: database and broker")


def _database() -> tuple[str, int | None]:
    try:
        with runtime().session_factory() as session:
            session.execute(text("SELECT 1"))
            return "ok", pending_count(session)
    except Exception as exc:  # any driver error means "down"
        return f"unreachable: {type(exc).__name__}", None


BROKER_PROBE_TTL_S = 5.0
_broker_probe: dict[str, tuple[float, str]] = {}


def _broker() -> str:
    """Probing RabbitMQ opens a connection, so a probe is reused for a few seconds (health is polled often)."""
    settings = runtime().settings
    if settings.eager:
        return "in-process (no broker configured)"
    assert settings.broker_url is not None
    cached = _broker_probe.get(settings.broker_url)
    if cached and time.monotonic() - cached[0] < BROKER_PROBE_TTL_S:
        return cached[1]
    try:
        with Connection(settings.broker_url, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)
        state = "ok"
    except Exception as exc:  # kombu raises many kinds
        state = f"unreachable: {type(exc).__name__}"
    _broker_probe[settings.broker_url] = (time.monotonic(), state)
    return state


@bp.route("/health", methods=["GET"])
@bp.response(200, HealthSchema)
@bp.alt_response(503, schema=HealthSchema, description="the database cannot be reached")
def health() -> tuple[dict[str, Any], int]:
    database, pending = _database()
    broker = _broker()
    healthy = database == "ok" and not broker.startswith("unreachable")
    body = {"status": "ok" if healthy else "degraded", "database": database, "broker": broker,
            "pending_events": pending}
    return body, 200 if database == "ok" else 503
