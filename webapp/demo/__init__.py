"""The demo association "Verkehrsverbund Auental" (VAU): operators, network, tariff, users.

Data files live in ``data/``; lines are listed in one direction and the
reverse direction is mirrored here. Loading is repeatable: operators and the
network are replaced, the tariff and users are added once.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.db import utcnow
from core.money import Money
from core.unit_of_work import SqlUnitOfWork
from fares.models import TariffVersion
from fares.network import Pattern, Route, Stop, Walk
from fares.services import activate_tariff, import_native_tariff, replace_network
from journeys.storage import store_timetable
from operators.services import OperatorData, upsert_operator
from ticketing.payment_providers import sandbox_provider
from ticketing.wallets import open_wallet, top_up, top_up_id_for
from webapp.demo.timetable import demo_timetable_texts
from webapp.users import User, create_user, hash_password, hash_token

DATA = Path(__file__).resolve().parent / "data"
# Format 2 (with passes); tariff.json keeps the same prices in format 1 as that format's example.
TARIFF_FILE = DATA / "tariff_v2.json"
# Every demo user logs in with its e-mail (TOKEN@farebridge.example) and this password. For the demo only.
DEMO_PASSWORD = "farebridge-demo"
DEMO_EMAIL_DOMAIN = "farebridge.example"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    operators: int
    stops: int
    routes: int
    tariff_version_id: int
    tokens: dict[str, str]
    trips: int = 0  # of the timetable, all services


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def demo_operators() -> list[OperatorData]:
    return [OperatorData(r["id"], r["name"], r["mode"], r["iban"] or None, r["bic"] or None, r["email"] or None,
                         int(r["vat_rate_bp"]))
            for r in _csv("operators.csv")]


def demo_stops() -> list[Stop]:
    return [Stop(r["id"], r["name"], float(r["lat"]), float(r["lon"]), r["zone_id"], r["town"])
            for r in _csv("stops.csv")]


def demo_routes() -> list[Route]:
    routes = []
    for line in _lines():
        stop_ids = tuple(stop for stop, _ in line["stops"])
        offsets = tuple(minutes * 60 for _, minutes in line["stops"])
        outbound = Pattern(line["id"], 0, stop_ids, offsets)
        inbound = Pattern(line["id"], 1, stop_ids[::-1], tuple(offsets[-1] - o for o in offsets[::-1]))
        routes.append(Route(
            id=line["id"], operator_id=line["operator_id"], short_name=line["short_name"], mode=line["mode"],
            headway_s=line["headway_minutes"] * 60, first_departure_s=_minutes(line["first_departure"]) * 60,
            last_departure_s=_minutes(line["last_departure"]) * 60, long_name=line["long_name"],
            patterns=(outbound, inbound),
        ))
    return routes


def _lines() -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = json.loads((DATA / "lines.json").read_text(encoding="utf-8"))
    return lines


def demo_timetable(today: date) -> dict[str, str]:
    """The demo's GTFS timetable files for a calendar around ``today`` (``webapp.demo.timetable``)."""
    return dict(_demo_timetable(today))


@lru_cache(maxsize=2)
def _demo_timetable(today: date) -> dict[str, str]:
    """Generated once per day and process: tests load the demo many times."""
    return demo_timetable_texts(_lines(), _csv("stops.csv"), _csv("operators.csv"), _csv("walks.csv"), today)


def demo_walks() -> list[Walk]:
    walks = []
    for row in _csv("walks.csv"):
        seconds = int(row["minutes"]) * 60
        walks.append(Walk(row["from_stop_id"], row["to_stop_id"], seconds))
        walks.append(Walk(row["to_stop_id"], row["from_stop_id"], seconds))
    return walks


def demo_tokens(operator_ids: list[str]) -> dict[str, tuple[str, str | None]]:
    """Fixed, well-known tokens so the README's curl lines work. For the demo only."""
    tokens: dict[str, tuple[str, str | None]] = {"demo-admin": ("admin", None), "demo-passenger": ("passenger", None)}
    for operator_id in operator_ids:
        tokens[f"demo-operator-{operator_id.lower()}"] = ("operator", operator_id)
    return tokens


def demo_email(token: str) -> str:
    return f"{token}@{DEMO_EMAIL_DOMAIN}"


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    """Hashed once per process: Argon2 is slow on purpose, and tests load the demo many times."""
    return hash_password(DEMO_PASSWORD)


def load_demo(uow: SqlUnitOfWork, today: date | None = None) -> DemoSummary:
    """Load (or reload) the demo; its timetable's calendar runs from a month before ``today`` to a year after."""
    operators, stops, routes = demo_operators(), demo_stops(), demo_routes()
    timetable = demo_timetable(today or date.today())
    with uow:
        session = uow.session
        for operator in operators:
            upsert_operator(session, operator)
        session.flush()
        replace_network(session, stops, routes, demo_walks())
        store_timetable(session, "VAU demo timetable", timetable)
        tariff_text = TARIFF_FILE.read_text(encoding="utf-8")
        package = json.loads(tariff_text)
        # by name, and of the file's format: a database loaded with the format-1 demo gets the new one
        version = next((v for v in session.scalars(select(TariffVersion).where(TariffVersion.name == package["name"]))
                        if v.content.get("format_version") == package["format_version"]), None)
        if version is None:
            version = import_native_tariff(session, tariff_text, TARIFF_FILE.name)
        if version.status != "active":
            activate_tariff(session, version.id)
        tokens = {}
        for token, (role, operator_id) in demo_tokens([o.id for o in operators]).items():
            exists = session.scalars(select(User).where(User.token_hash == hash_token(token))).first()
            if exists is None:
                exists, _token = create_user(session, role, operator_id, email=demo_email(token), token=token)
            if exists.password_hash is None:
                exists.password_hash = _demo_password_hash()
            tokens[token] = f"{role}" + (f" ({operator_id})" if operator_id else "")
        uow.commit()
        summary = DemoSummary(len(operators), len(stops), len(routes), version.id, tokens,
                              timetable["trips.txt"].count("\n") - 1)
    load_demo_wallet(uow, version.currency)
    return summary


def load_demo_wallet(uow: SqlUnitOfWork, currency: str) -> None:
    """demo-passenger's wallet, topped up once with 50.00 by the sandbox card (a fixed top-up id: repeatable)."""
    with uow:
        owner = uow.session.scalars(select(User.id).where(User.token_hash == hash_token("demo-passenger"))).one()
    wallet, _opened = open_wallet(uow, owner, currency, utcnow())
    top_up(uow, wallet.id, Money.parse("50.00", currency), "tok_ok", sandbox_provider(), utcnow(),
           reference=top_up_id_for(wallet.id, "demo-load"))
