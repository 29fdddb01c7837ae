"""Per-process cache of what pricing and planning need: network, routing graph, fare engine.

Tariff versions never change once stored and the network carries a revision
number, so (database, network revision, version, activation time) identifies
what to build; checking it costs one small query per request. A GTFS version
brings its own network (kept in its content); a native one prices on the
stored network.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NoFareFound, NotFound
from fares.engines import build_engine
from fares.models import NetworkState, TariffVersion
from fares.network import Network
from fares.network_codec import network_from_dict
from fares.planner import Planner
from fares.price import FareEngine
from fares.stored_network import load_network

CACHED_CONTEXTS = 4


@dataclass(frozen=True, slots=True)
class PricingContext:
    network: Network
    planner: Planner
    engine: FareEngine
    tariff_version_id: int


class PricingCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._contexts: OrderedDict[tuple[Any, ...], PricingContext] = OrderedDict()

    def get(self, session: Session, version_id: int | None = None) -> PricingContext:
        query = select(TariffVersion.id, TariffVersion.activated_at, TariffVersion.created_at)
        query = query.where(TariffVersion.id == version_id) if version_id else query.where(
            TariffVersion.status == "active")
        version_row = session.execute(query).first()
        if version_row is None:
            if version_id:
                raise NotFound(f"no tariff version {version_id}")
            raise NoFareFound("no tariff is active; import and activate one first", code="no_active_tariff")
        state = session.execute(
            select(NetworkState.revision, NetworkState.updated_at).where(NetworkState.id == 1)
        ).first()
        # Timestamps too: a wiped and reloaded database reuses revision numbers and ids.
        key = (str(session.get_bind().engine.url), tuple(state) if state else None, tuple(version_row))
        with self._lock:
            if key in self._contexts:
                self._contexts.move_to_end(key)
                return self._contexts[key]
        context = self._build(session, version_row[0])
        with self._lock:
            self._contexts[key] = context
            while len(self._contexts) > CACHED_CONTEXTS:
                self._contexts.popitem(last=False)
        return context

    @staticmethod
    def _build(session: Session, version_id: int) -> PricingContext:
        version = session.get(TariffVersion, version_id)
        assert version is not None
        stored = version.content.get("network") if isinstance(version.content, dict) else None
        network = network_from_dict(stored) if stored else load_network(session)
        engine = build_engine(version.format, version.content, network, version.id)
        return PricingContext(network, Planner(network), engine, version.id)


_cache = PricingCache()


def pricing_context(session: Session, version_id: int | None = None) -> PricingContext:
    return _cache.get(session, version_id)
