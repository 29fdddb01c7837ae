"""Every model module, imported so that ``Base.metadata`` knows all tables."""
from __future__ import annotations

from sqlalchemy import MetaData


def all_metadata() -> MetaData:
    import clearing.carry  # noqa: F401
    import clearing.dead_letters  # noqa: F401
    import clearing.models  # noqa: F401
    import core.idempotency  # noqa: F401
    import core.outbox  # noqa: F401
    import fares.models  # noqa: F401
    import journeys.models  # noqa: F401
    import operators.models  # noqa: F401
    import payg.models  # noqa: F401
    import ticketing.models  # noqa: F401
    import ticketing.pass_models  # noqa: F401
    import ticketing.payment_providers  # noqa: F401
    import ticketing.refunds  # noqa: F401
    import ticketing.wallets  # noqa: F401
    import webapp.users  # noqa: F401
    from core.db import Base

    return Base.metadata
