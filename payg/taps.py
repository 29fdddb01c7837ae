"""Tap ingestion: check each event on its own, keep the good ones once, say why the others were refused.

An event is unique by ``(device_id, event_id)``: the insert skips a pair that
is already stored (``INSERT ... ON CONFLICT DO NOTHING`` on SQLite and
PostgreSQL alike), so replaying a batch, or a device sending an event twice,
changes nothing. A tap older than the late window, in the future, for an
unknown account, route or stop is refused with its reasons; the rest of its
batch is kept.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from fares.native.v2.caps import service_date
from fares.network import Network
from payg.models import TAP_IN, TAP_OUT, PaygAccount, Tap

MAX_BATCH = 5_000
CLOCK_SKEW = timedelta(minutes=5)  # a device's clock may run this far ahead
_ID_FIELDS = ("device_id", "event_id", "account_id", "route_id", "stop_id")
_INSERT_CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class DayRules:
    """What decides a tap's service day: the tariff's timezone and day start."""

    timezone: str
    day_start_s: int


@dataclass(frozen=True, slots=True)
class Rejection:
    index: int
    device_id: str | None
    event_id: str | None
    errors: tuple[dict[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "device_id": self.device_id, "event_id": self.event_id,
                "errors": list(self.errors)}


@dataclass(slots=True)
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates,
                "rejected": [r.to_json() for r in self.rejected]}


def _text(raw: Mapping[str, Any], name: str, errors: list[dict[str, str]]) -> str | None:
    value = raw.get(name)
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        errors.append({"field": name, "message": "required: a string of 1 to 64 characters"})
        return None
    return value


def _time(raw: Mapping[str, Any], errors: list[dict[str, str]]) -> datetime | None:
    value = raw.get("tapped_at")
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        errors.append({"field": "tapped_at", "message": "required: ISO 8601 with a UTC offset"})
        return None
    return moment


def check_tap(
    raw: Any, network: Network, day_rules: DayRules, now: datetime, late_window: timedelta,
) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """The row to insert, or the reasons it is refused (``account_id`` is checked by the caller, in bulk)."""
    errors: list[dict[str, str]] = []
    if not isinstance(raw, Mapping):
        return None, [{"field": "", "message": "a tap is a JSON object"}]
    values = {name: _text(raw, name, errors) for name in _ID_FIELDS}
    kind = raw.get("kind")
    if kind not in (TAP_IN, TAP_OUT):
        errors.append({"field": "kind", "message": "must be 'in' or 'out'"})
    tapped_at = _time(raw, errors)
    route = network.routes.get(values["route_id"] or "")
    if values["route_id"] is not None and route is None:
        errors.append({"field": "route_id", "message": f"unknown route {values['route_id']!r}"})
    stop_id = values["stop_id"]
    if route is not None and stop_id is not None and not any(stop_id in p.stop_ids for p in route.patterns):
        errors.append({"field": "stop_id", "message": f"route {route.id} does not serve stop {stop_id!r}"})
    if tapped_at is not None:
        if tapped_at > now + CLOCK_SKEW:
            errors.append({"field": "tapped_at", "message": "in the future"})
        elif now - tapped_at > late_window:
            errors.append({"field": "tapped_at", "message": f"too late: older than the late window of "
                                                            f"{int(late_window.total_seconds() // 3600)} h"})
    if errors:
        return None, errors
    assert tapped_at is not None
    return {**values, "kind": kind, "tapped_at": tapped_at,
            "service_date": service_date(tapped_at, day_rules.timezone, day_rules.day_start_s),
            "received_at": now}, []


def _known_accounts(session: Session, account_ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(account_ids))
    known: set[str] = set()
    for start in range(0, len(wanted), _INSERT_CHUNK):
        chunk = wanted[start : start + _INSERT_CHUNK]
        known.update(session.scalars(select(PaygAccount.id).where(PaygAccount.id.in_(chunk))))
    return known


_COLUMNS = ("device_id", "event_id", "account_id", "kind", "route_id", "stop_id", "tapped_at", "service_date",
            "received_at")
_INCOMING = (
    "CREATE TEMP TABLE IF NOT EXISTS payg_taps_incoming (device_id text, event_id text, account_id text, kind text,"
    " route_id text, stop_id text, tapped_at timestamptz, service_date date, received_at timestamptz)"
    " ON COMMIT DELETE ROWS"
)
_FROM_INCOMING = (
    f"INSERT INTO payg_taps ({', '.join(_COLUMNS)}) SELECT {', '.join(_COLUMNS)} FROM payg_taps_incoming"
    " ON CONFLICT (device_id, event_id) DO NOTHING RETURNING id"
)


def insert_new_taps(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows, skipping stored ``(device_id, event_id)`` pairs; how many were new.

    PostgreSQL: ``COPY`` into a temporary table, then one ``INSERT ... SELECT
    ... ON CONFLICT DO NOTHING`` (a big batch costs little more than the copy).
    SQLite: one cached ``INSERT ... ON CONFLICT DO NOTHING`` for many rows.
    """
    if session.get_bind().dialect.name == "postgresql":
        connection = session.connection()
        connection.exec_driver_sql(_INCOMING)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY payg_taps_incoming ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in _COLUMNS])
        inserted = len(connection.exec_driver_sql(_FROM_INCOMING).all())
        connection.exec_driver_sql("DELETE FROM payg_taps_incoming")
        return inserted
    table = Tap.__table__
    statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=["device_id", "event_id"]) \
        .returning(table.c.id)  # type: ignore[attr-defined]
    return len(session.connection().execute(statement, list(rows)).all())


def ingest_taps(
    session: Session, raws: Sequence[Any], network: Network, day_rules: DayRules, now: datetime,
    late_window: timedelta,
) -> IngestResult:
    """Check and store a batch in the caller's transaction; the caller commits."""
    result = IngestResult()
    checked: list[tuple[int, dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()
    duplicates_in_batch = 0
    for index, raw in enumerate(raws):
        row, errors = check_tap(raw, network, day_rules, now, late_window)
        if row is None:
            result.rejected.append(_rejection(index, raw, errors))
            continue
        key = (row["device_id"], row["event_id"])
        if key in seen:  # the same event twice in one batch: one row
            duplicates_in_batch += 1
            continue
        seen.add(key)
        checked.append((index, row))
    known = _known_accounts(session, (row["account_id"] for _, row in checked))
    rows = []
    for index, row in checked:
        if row["account_id"] in known:
            rows.append(row)
        else:
            result.rejected.append(_rejection(index, row, [
                {"field": "account_id", "message": f"unknown pay-as-you-go account {row['account_id']!r}"}]))
    result.accepted = insert_new_taps(session, rows) if rows else 0
    result.duplicates = duplicates_in_batch + len(rows) - result.accepted
    result.rejected.sort(key=lambda r: r.index)
    return result


def _rejection(index: int, raw: Any, errors: list[dict[str, str]]) -> Rejection:
    def ident(name: str) -> str | None:
        value = raw.get(name) if isinstance(raw, Mapping) else None
        return value if isinstance(value, str) else None

    return Rejection(index, ident("device_id"), ident("event_id"), tuple(errors))

