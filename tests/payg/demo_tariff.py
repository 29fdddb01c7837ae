"""The demo network and tariff as plain data (no database), optionally with extra caps or passes."""
from __future__ import annotations

import json
from typing import Any

from fares.native.v2 import NativeV2Engine, load_native_v2
from fares.network import Network
from payg.charging import TariffView
from webapp.demo import TARIFF_FILE, demo_routes, demo_stops, demo_walks


def demo_network() -> Network:
    return Network({s.id: s for s in demo_stops()}, {r.id: r for r in demo_routes()}, tuple(demo_walks()))


def demo_view(**changes: Any) -> TariffView:
    package = json.loads(TARIFF_FILE.read_text(encoding="utf-8"))
    package.update(changes)
    model = load_native_v2(json.dumps(package), "tariff_v2.json")
    network = demo_network()
    return TariffView(NativeV2Engine(model, network), network, model, model.currency, None)
