from __future__ import annotations

from typing import Any

from core.db import utcnow
from ticketing.services import get_order, get_ticket, verify_ticket
from webapp.api.openapi import BEARER_OPTIONAL, ApiBlueprint
from webapp.auth import require_order_access
from webapp.extensions import runtime, signer
from webapp.schemas.orders import PublicKeySchema, TicketSchema, VerificationSchema, VerifyRequestSchema, ticket_json

bp = ApiBlueprint("tickets", __name__, description="Tickets, their offline verification and the public key")


@bp.get("/tickets/<uuid_text:ticket_id>")
@bp.doc(security=BEARER_OPTIONAL)
@bp.response(200, TicketSchema)
def show(ticket_id: str) -> dict[str, Any]:
    with runtime().session_factory() as session:
        ticket = get_ticket(session, ticket_id)
        order = get_order(session, ticket.order_id)
        require_order_access(order)
        return ticket_json(ticket, order)


@bp.post("/tickets/verify")
@bp.arguments(VerifyRequestSchema)
@bp.response(200, VerificationSchema)
def verify(body: dict[str, Any]) -> dict[str, Any]:
    """Checks the signature and validity of a ticket token (inspectors can do the same offline)."""
    token = body["token"]
    if not isinstance(token, str) or not token:
        return {"valid": False, "reason": "no token given", "ticket": None}
    with runtime().session_factory() as session:
        result = verify_ticket(session, token, signer().public_key, utcnow())
    return {"valid": result.valid, "reason": result.reason, "ticket": result.claims}


@bp.get("/tickets/public-key")
@bp.response(200, PublicKeySchema)
def public_key() -> dict[str, Any]:
    """Inspectors' devices fetch this once to verify tickets offline."""
    return {"key_id": signer().key_id, "algorithm": "Ed25519", "pem": signer().public_pem()}
