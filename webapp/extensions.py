"""Access to the runtime and the ticket signer from views."""
from __future__ import annotations

from flask import current_app

from core.runtime import Runtime
from ticketing.token import TicketSigner


def runtime() -> Runtime:
    rt: Runtime = current_app.extensions["farebridge.runtime"]
    return rt


def signer() -> TicketSigner:
    s: TicketSigner = current_app.extensions["farebridge.signer"]
    return s
