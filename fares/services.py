"""Fare services: the database side of the network and the tariff versions."""
from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import Conflict, NoFareFound, NotFound, ValidationFailed
from core.input_limits import InputLimits, read_file
from fares.cache import pricing_context
from fares.gtfs.reader import DEFAULT_LIMITS
from fares.gtfs.tariff import load_gtfs_tariff, stored_texts
from fares.models import (
    NetworkState,
    RoutePatternRow,
    RouteRow,
    RouteStopRow,
    StopRow,
    TariffVersion,
    WalkRow,
)
from fares.native.schema import load_native_package, native_format_version
from fares.native.v2 import load_native_v2
from fares.network import Network, Pattern, Route, Stop, Walk
from fares.network_codec import network_from_dict, network_to_dict
from fares.price import ItineraryLeg, Price
from fares.routing import Journey
from operators.models import MODES, Operator
from operators.services import OperatorData, upsert_operator

VALIDATED, ACTIVE, RETIRED = "validated", "active", "retired"


# --- network -----------------------------------------------------------------

def replace_network(session: Session, stops: Iterable[Stop], routes: Iterable[Route], walks: Iterable[Walk]) -> None:
    """Replace the stored network with the given one (inside the caller's transaction)."""
    for table in (WalkRow, RouteStopRow, RoutePatternRow, RouteRow, StopRow):
        session.execute(delete(table))
    session.add_all(
        StopRow(id=s.id, name=s.name, lat=s.lat, lon=s.lon, zone_id=s.zone_id, town=s.town) for s in stops
    )
    session.flush()
    for route in routes:
        session.add(
            RouteRow(
                id=route.id, operator_id=route.operator_id, short_name=route.short_name, long_name=route.long_name,
                mode=route.mode, headway_s=route.headway_s, first_departure_s=route.first_departure_s,
                last_departure_s=route.last_departure_s,
            )
        )
        session.flush()
        for index, pattern in enumerate(route.patterns):
            session.add(RoutePatternRow(route_id=route.id, pattern_index=index, direction_id=pattern.direction_id,
                                        headway_s=pattern.headway_s, first_departure_s=pattern.first_departure_s,
                                        last_departure_s=pattern.last_departure_s))
            session.flush()
            session.add_all(
                RouteStopRow(route_id=route.id, pattern_index=index, sequence=i, stop_id=stop_id, offset_s=offset)
                for i, (stop_id, offset) in enumerate(zip(pattern.stop_ids, pattern.offsets_s, strict=True))
            )
    session.add_all(WalkRow(from_stop_id=w.from_stop_id, to_stop_id=w.to_stop_id, seconds=w.seconds) for w in walks)
    state = session.get(NetworkState, 1, with_for_update=True)
    if state is None:
        session.add(NetworkState(id=1, revision=1, updated_at=utcnow()))
    else:
        state.revision += 1
        state.updated_at = utcnow()
    session.flush()


def load_network(session: Session) -> Network:
    stops = {
        row.id: Stop(row.id, row.name, row.lat, row.lon, row.zone_id, row.town)
        for row in session.scalars(select(StopRow))
    }
    stops_of: dict[tuple[str, int], list[RouteStopRow]] = {}
    for stop_row in session.scalars(select(RouteStopRow).order_by(
            RouteStopRow.route_id, RouteStopRow.pattern_index, RouteStopRow.sequence)):
        stops_of.setdefault((stop_row.route_id, stop_row.pattern_index), []).append(stop_row)
    patterns_of: dict[str, list[Pattern]] = {}
    for p in session.scalars(select(RoutePatternRow).order_by(RoutePatternRow.route_id,
                                                              RoutePatternRow.pattern_index)):
        rows = stops_of.get((p.route_id, p.pattern_index), [])
        patterns_of.setdefault(p.route_id, []).append(
            Pattern(p.route_id, p.direction_id, tuple(r.stop_id for r in rows), tuple(r.offset_s for r in rows),
                    p.headway_s, p.first_departure_s, p.last_departure_s))
    routes = {}
    for row in session.scalars(select(RouteRow)):
        route_patterns = tuple(patterns_of.get(row.id, ()))
        routes[row.id] = Route(
            id=row.id, operator_id=row.operator_id, short_name=row.short_name, mode=row.mode,
            headway_s=row.headway_s, first_departure_s=row.first_departure_s,
            last_departure_s=row.last_departure_s, long_name=row.long_name, patterns=route_patterns,
        )
    walks = tuple(Walk(w.from_stop_id, w.to_stop_id, w.seconds) for w in session.scalars(select(WalkRow)))
    return Network(stops, routes, walks)


def search_stops(session: Session, text: str, limit: int = 20) -> list[StopRow]:
    query = select(StopRow).order_by(StopRow.name).limit(limit)
    if text:
        pattern = f"%{text.lower()}%"
        from sqlalchemy import func, or_

        query = query.where(or_(func.lower(StopRow.name).like(pattern), func.lower(StopRow.id).like(pattern)))
    return list(session.scalars(query))


# --- tariff versions -----------------------------------------------------------

def import_tariff_file(
    session: Session, path: Path, name: str | None = None, valid_from: date | None = None,
    limits: InputLimits = DEFAULT_LIMITS,
) -> TariffVersion:
    """Validate a tariff (GTFS zip/folder or native .json) completely, then store it as a new version."""
    if path.is_dir() or path.suffix.lower() == ".zip":
        if path.is_file():
            read_file(path, limits)  # the packed size first: as an upload, at most upload_bytes
        return import_gtfs_tariff(session, path, name, valid_from, limits)
    if path.suffix.lower() != ".json":
        raise ValidationFailed(
            f"{path.name}: a tariff is a GTFS feed (.zip or folder) or a native package (.json)",
            details=[{"file": path.name, "line": None, "field": None, "message": "unsupported format"}],
        )
    try:
        text = read_file(path, limits).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"{path.name} is not UTF-8", details=[
            {"file": path.name, "line": None, "field": None, "message": str(exc)}]) from None
    return import_native_tariff(session, text, path.name, name, valid_from)


def import_tariff_upload(
    session: Session, filename: str, data: bytes, name: str | None = None, valid_from: date | None = None,
    limits: InputLimits = DEFAULT_LIMITS,
) -> TariffVersion:
    """An uploaded file: a GTFS zip or a native package (.json)."""
    if len(data) > limits.upload_bytes:
        raise limits.refuse("upload_bytes", filename, f"the file is larger than {limits.upload_bytes} bytes")
    lowered = filename.lower()
    if lowered.endswith(".zip"):
        with tempfile.TemporaryDirectory() as folder:
            stem = re.sub(r"[^\w.-]", "_", Path(filename).stem)[:100] or "upload"  # a name the file system takes
            path = Path(folder) / f"{stem}.zip"
            path.write_bytes(data)
            return import_gtfs_tariff(session, path, name, valid_from, limits)
    if lowered.endswith(".json"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(f"{filename} is not UTF-8", details=[
                {"file": filename, "line": None, "field": None, "message": str(exc)}]) from None
        return import_native_tariff(session, text, filename, name, valid_from)
    raise ValidationFailed(f"{filename}: a tariff is a GTFS feed (.zip) or a native package (.json)",
                           details=[{"file": filename, "line": None, "field": None, "message": "unsupported format"}])


def import_gtfs_tariff(
    session: Session, path: Path, name: str | None = None, valid_from: date | None = None,
    limits: InputLimits = DEFAULT_LIMITS,
) -> TariffVersion:
    """Store a GTFS feed as a version: its fare files, agencies and derived network travel with it."""
    tariff = load_gtfs_tariff(path, with_network=True, limits=limits)
    assert tariff.network is not None
    content = {
        "kind": "gtfs",
        "fares_version": tariff.fares_version,
        "source": path.name,
        "agencies": [[a.id, a.name] for a in tariff.basics.agencies.values()],
        "files": stored_texts(path, limits),
        "network": network_to_dict(tariff.network),
    }
    version = TariffVersion(
        name=name or path.stem, format="gtfs", status=VALIDATED, currency=tariff.engine.currency,
        valid_from=valid_from or date.today(), valid_to=None, content=content,
    )
    session.add(version)
    session.flush()
    return version


def import_native_tariff(
    session: Session, text: str, filename: str, name: str | None = None, valid_from: date | None = None
) -> TariffVersion:
    """Format version 1 (zone count) or 2 (docs/native-tariff-v2.md), told apart by ``format_version``."""
    package: dict[str, Any] = dict(load_native_v2(text, filename).package) \
        if native_format_version(text) == 2 else load_native_package(text, filename)
    if name:
        package["name"] = name
    if valid_from:
        package["valid_from"] = valid_from.isoformat()
    version = TariffVersion(
        name=package["name"],
        format="native",
        status=VALIDATED,
        currency=package["currency"],
        valid_from=date.fromisoformat(package["valid_from"]),
        valid_to=date.fromisoformat(package["valid_to"]) if package.get("valid_to") else None,
        content=package,
    )
    session.add(version)
    session.flush()
    return version


def activate_tariff(session: Session, version_id: int) -> TariffVersion:
    """Make ``version_id`` the only active version, in the caller's transaction.

    The rows are locked so two concurrent activations cannot both win.
    """
    versions = list(session.scalars(select(TariffVersion).order_by(TariffVersion.id).with_for_update()))
    target = next((v for v in versions if v.id == version_id), None)
    if target is None:
        raise NotFound(f"no tariff version {version_id}")
    if target.status == ACTIVE:
        raise Conflict(f"tariff version {version_id} is already active", code="already_active")
    for version in versions:
        if version.status == ACTIVE:
            version.status = RETIRED
    if target.format == "gtfs":
        _install_gtfs_network(session, target.content)
    target.status = ACTIVE
    target.activated_at = utcnow()
    session.flush()
    return target


def _install_gtfs_network(session: Session, content: dict[str, object]) -> None:
    """A GTFS version brings its operators (agencies) and network; activation installs them."""
    network = network_from_dict(content["network"])  # type: ignore[arg-type]
    modes: dict[str, Counter[str]] = {}
    for route in network.routes.values():
        modes.setdefault(route.operator_id, Counter())[route.mode] += 1
    for agency_id, agency_name in content["agencies"]:  # type: ignore[attr-defined]
        if session.get(Operator, agency_id) is not None:
            continue  # keep what is known of an operator (bank details, VAT rate)
        counted = modes.get(agency_id)
        mode = counted.most_common(1)[0][0] if counted else "bus"
        upsert_operator(session, OperatorData(agency_id, agency_name, mode if mode in MODES else "bus"))
    session.flush()
    replace_network(session, network.stops.values(), network.routes.values(), network.walks)


def list_tariffs(session: Session) -> list[TariffVersion]:
    return list(session.scalars(select(TariffVersion).order_by(TariffVersion.id)))


def active_currency(session: Session) -> str:
    version = session.scalars(select(TariffVersion).where(TariffVersion.status == ACTIVE)).one_or_none()
    if version is None:
        raise NoFareFound("no tariff is active; import and activate one first", code="no_active_tariff")
    return version.currency


# --- pricing and planning --------------------------------------------------------

def price_legs(
    session: Session, legs: Sequence[ItineraryLeg], rider_category: str | None, fare_media: str | None = None,
    version_id: int | None = None,
) -> Price:
    """Price on the active tariff, or on an older version (for audits and refunds)."""
    context = pricing_context(session, version_id)
    return context.engine.price(legs, rider_category, fare_media)


def plan_and_price(
    session: Session, from_stop: str, to_stop: str, at: datetime, rider_category: str | None
) -> tuple[Network, list[tuple[Journey, Price]]]:
    context = pricing_context(session)
    context.engine.rider_category(rider_category)  # an unknown category fails before planning
    options = context.planner.plan_and_price(context.engine, from_stop, to_stop, at, rider_category)
    return context.network, options
