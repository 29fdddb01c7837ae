"""Taps for tests: rides on the demo network at local (Europe/Berlin) times."""
from __future__ import annotations

import itertools
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
_ids = itertools.count()


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=BERLIN)


def tap(account: str, kind: str, route: str, stop: str, moment: datetime, device: str = "dev-1",
        event_id: str | None = None) -> dict[str, Any]:
    return {"device_id": device, "event_id": event_id or f"ev-{next(_ids)}", "account_id": account, "kind": kind,
            "route_id": route, "stop_id": stop, "tapped_at": moment.isoformat()}


def ride(account: str, route: str, origin: str, destination: str | None, day: date, board: str,
         alight: str | None = None) -> list[dict[str, Any]]:
    """Tap-in and tap-out (none when ``destination`` is None: a missing tap-out)."""
    taps = [tap(account, "in", route, origin, at(day, board))]
    if destination is not None:
        taps.append(tap(account, "out", route, destination, at(day, alight or board)))
    return taps


# Demo fares (vau-zones, zone count): RE1 WES_BF -> ALT_HBF 3 zones 4.80; T1 within Altheim 1 zone 2.90;
# BVB21 BGS_BF -> BGS_MARKT 1 zone 2.90; RE1 WES_BF -> BGS_BF 5 zones 7.10 (the dearest RE1 ride from WES_BF).
