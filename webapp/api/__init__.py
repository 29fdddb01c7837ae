"""The JSON API under /api/v1, one blueprint per area."""
from __future__ import annotations

from flask import Blueprint

from webapp.api import (
    clearing,
    documents,
    fares,
    health,
    network,
    orders,
    passes,
    refunds,
    taps,
    tariffs,
    tickets,
    wallets,
)


def api_blueprint() -> Blueprint:
    api = Blueprint("api", __name__, url_prefix="/api/v1")
    for module in (health, network, fares, orders, tickets, refunds, documents, tariffs, clearing, wallets, passes,
                   taps):
        api.register_blueprint(module.bp)
    return api
