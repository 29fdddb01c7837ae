from __future__ import annotations

from typing import Any

from flask import Blueprint

from core.db import utcnow
from ticketing.services import get_order, get_ticket, verify_ticket
from webapp.auth import require_order_access
from webapp.extensions import runtime, signer
from webapp.requests import json_body
from webapp.schemas.orders import ticket_json

bp = Blueprint("tickets", __name__)


@bp.get("/tickets/<ticket_id>")
def show(ticket_id: str) -> dict[str, Any]:
    with runtime().session_factory() as session:
        ticket = get_ticket(session, ticket_id)
        order = get_order(session, ticket.order_id)
        require_order_access(order)
        return ticket_json(ticket, order)


@bp.post("/tickets/verify")
def verify() -> dict[str, Any]:
    token = json_body().get("token")
    if not isinstance(token, str) or not token:
        return {"valid": False, "reason": "no token given", "ticket": None}
    with runtime().session_factory() as session:
        result = verify_ticket(session, token, signer().public_key, utcnow())
    return {"valid": result.valid, "reason": result.reason, "ticket": result.claims}


@bp.get("/tickets/public-key")
def public_key() -> dict[str, Any]:
    """Inspectors' devices fetch this once to verify tickets offline."""
    return {"key_id": signer().key_id, "algorithm": "Ed25519", "pem": signer().public_pem()}
