"""Set-up shared by the pay-as-you-go benchmarks: a scratch PostgreSQL database with the demo, accounts, taps.

Own database ``fb_payg_bench`` (recreated per run, dropped at the end).
Synthetic riders make two rides a day on the demo network (4 taps), one ride
in twenty without its tap-out.
"""
from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine, text

from core.config import Settings
from core.runtime import Runtime, set_runtime

SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432"
DATABASE = "fb_payg_bench"
BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
BERLIN = ZoneInfo("Europe/Berlin")
# (route, from, to): rides of one to five zones on every operator of the demo
RIDES = (
    ("RE1", "WES_BF", "ALT_HBF"), ("RE1", "ALT_HBF", "BGS_BF"), ("RB2", "ALT_HBF", "STE_BF"),
    ("T1", "ALT_WALDSIEDLUNG", "ALT_OST"), ("T2", "ALT_TECHNOPARK", "ALT_HBF"), ("SWA11", "ALT_HBF", "ALT_WEST"),
    ("SWA12", "ALT_HBF", "ALT_NEUW_MITTE"), ("BVB21", "BGS_BF", "BGS_SONN_MITTE"), ("BVB23", "BGS_BURG", "LIN_BF"),
    ("FAE1", "AUB_ANLEGER", "UFH_ANLEGER"),
)
TAP_COLUMNS = ("device_id", "event_id", "account_id", "kind", "route_id", "stop_id", "tapped_at", "service_date",
               "received_at")


def database_url() -> str:
    return f"{SERVER_URL}/{DATABASE}"


def recreate_database(drop_only: bool = False) -> None:
    engine = create_engine(f"{SERVER_URL}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        if not drop_only:
            conn.execute(text(f"CREATE DATABASE {DATABASE}"))
    engine.dispose()


def demo_runtime(instance_dir: str, **env: str) -> Runtime:
    """The scratch database migrated, with the demo loaded (operators, network, tariff with caps, tokens)."""
    from migrations.runner import upgrade
    from webapp.demo import load_demo

    recreate_database()
    upgrade(database_url())
    settings = Settings.from_env({"FAREBRIDGE_DATABASE_URL": database_url(), "FAREBRIDGE_INSTANCE_DIR": instance_dir,
                                  **env})
    runtime = Runtime.from_settings(settings)
    set_runtime(runtime)
    load_demo(runtime.uow())
    return runtime


def copy_rows(engine: Engine, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> float:
    """``COPY`` rows into ``table``; seconds taken."""
    import time as clock

    started = clock.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()
    return clock.perf_counter() - started


def create_accounts(engine: Engine, count: int) -> list[str]:
    ids = [f"acc-{n:07d}" for n in range(count)]
    now = datetime.now(UTC)
    categories = ("adult", "adult", "adult", "child", "senior")
    copy_rows(engine, "payg_accounts", ("id", "rider_category", "currency", "payment_method", "card_token",
                                        "created_at"),
              [(account, categories[n % 5], "EUR", "card", "tok_ok", now) for n, account in enumerate(ids)])
    return ids


def day_taps(accounts: list[str], day: date, seed: int = 11) -> list[dict[str, Any]]:
    """Four taps per account on ``day`` (local times between 06:00 and 21:00), as the API takes them."""
    rng = random.Random(seed)
    taps: list[dict[str, Any]] = []
    for account in accounts:
        device = f"val-{rng.randint(1, 400)}"
        for ride_no in range(2):
            route, origin, destination = RIDES[rng.randrange(len(RIDES))]
            board = datetime.combine(day, time(6 + ride_no * 8 + rng.randint(0, 6), rng.randint(0, 59)),
                                     tzinfo=BERLIN)
            taps.append({"device_id": device, "event_id": f"{account}-{ride_no}-in", "account_id": account,
                         "kind": "in", "route_id": route, "stop_id": origin, "tapped_at": board.isoformat()})
            out_stop = destination if rng.random() >= 0.05 else origin  # a forgotten tap-out: tapped in twice
            kind = "out" if out_stop == destination else "in"
            taps.append({"device_id": device, "event_id": f"{account}-{ride_no}-{kind}2", "account_id": account,
                         "kind": kind, "route_id": route, "stop_id": out_stop,
                         "tapped_at": (board + timedelta(minutes=rng.randint(8, 50))).isoformat()})
    return taps


def tap_rows(taps: list[dict[str, Any]], day_start_s: int, received_at: datetime) -> list[tuple[Any, ...]]:
    """The same taps as table rows (what ingestion stores), for ``COPY``."""
    from fares.native.v2.caps import service_date

    rows = []
    for tap in taps:
        moment = datetime.fromisoformat(tap["tapped_at"])
        rows.append((tap["device_id"], tap["event_id"], tap["account_id"], tap["kind"], tap["route_id"],
                     tap["stop_id"], moment, service_date(moment, "Europe/Berlin", day_start_s), received_at))
    return rows


def buffer_json(body: Any) -> bytes:
    import json

    out = io.StringIO()
    json.dump(body, out)
    return out.getvalue().encode()
