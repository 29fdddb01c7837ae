"""Per-process cache of what pricing and planning need: network, routing graph, fare engine.

Tariff versions never change once stored and the network carries a revision
number, so (network revision, active version id) identifies what to build;
checking it costs one small query per request.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NoFareFound
from fares.engines import build_engine
from fares.graph import build_graph
from fares.models import NetworkState, TariffVersion
from fares.network import Network
from fares.price import FareEngine


@dataclass(frozen=True, slots=True)
class PricingContext:
    network: Network
    graph: nx.DiGraph
    engine: FareEngine
    tariff_version_id: int


class PricingCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._context: PricingContext | None = None

    def get(self, session: Session) -> PricingContext:
        from fares.services import load_network

        bind_url = str(session.get_bind().url)
        state = session.execute(
            select(NetworkState.revision, NetworkState.updated_at).where(NetworkState.id == 1)
        ).first()
        active = session.execute(
            select(TariffVersion.id, TariffVersion.activated_at).where(TariffVersion.status == "active")
        ).first()
        if active is None:
            raise NoFareFound("no tariff is active; import and activate one first", code="no_active_tariff")
        version_id = active[0]
        # Timestamps too: a wiped and reloaded database reuses revision numbers and ids.
        key = (bind_url, tuple(state) if state else None, tuple(active))
        with self._lock:
            if key == self._key and self._context is not None:
                return self._context
        version = session.get(TariffVersion, version_id)
        assert version is not None
        network = load_network(session)
        engine = build_engine(version.format, version.content, network, version.id)
        context = PricingContext(network, build_graph(network), engine, version.id)
        with self._lock:
            self._key, self._context = key, context
        return context


_cache = PricingCache()


def pricing_context(session: Session) -> PricingContext:
    return _cache.get(session)
