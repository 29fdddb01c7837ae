"""Handing new outbox events to clearing right after a request committed them."""
from __future__ import annotations

import logging

from clearing.tasks import publish_event
from core.outbox import relay_pending
from webapp.extensions import runtime

log = logging.getLogger(__name__)


def relay_now() -> None:
    """Publish pending events now; if the broker is down they stay pending for the periodic relay."""
    try:
        relay_pending(runtime().session_factory, publish_event)
    except Exception:
        log.exception("outbox relay failed; events stay pending")
