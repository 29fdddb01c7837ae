"""Fare services: the database side of the network and the tariff versions."""
from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import Conflict, NoFareFound, NotFound, ValidationFailed
from core.input_limits import InputLimits, read_file
from fares.cache import pricing_context
from fares.gtfs.reader import DEFAULT_LIMITS, feed_file_sizes
from fares.gtfs.tariff import load_gtfs_tariff, stored_texts
from fares.gtfs.timetable_archive import (
    check_timetable_size,
    has_timetable,
    pack_timetable,
    read_timetable_texts,
    timetable_hash,
    timetable_size,
)
from fares.models import StopRow, TariffTimetable, TariffVersion
from fares.native.schema import load_native_package, native_format_version
from fares.native.v2 import load_native_v2
from fares.network_codec import network_from_dict, network_to_dict
from fares.price import ItineraryLeg, Price

# The network's storage lives in fares.stored_network; both names stay importable from here.
from fares.stored_network import load_network as load_network
from fares.stored_network import replace_network as replace_network
from operators.models import MODES, Operator
from operators.services import OperatorData, upsert_operator

VALIDATED, ACTIVE, RETIRED = "validated", "active", "retired"


# --- network -----------------------------------------------------------------

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
    """Store a GTFS feed as a version: its fare files, agencies and derived network travel with it.

    A full feed (with ``trips.txt``/``stop_times.txt``) also keeps its
    timetable files with the version, installed when the version is
    activated; a fare-only feed prices on the stored network and leaves
    network and timetable as they are.
    """
    sizes = feed_file_sizes(path)
    full = has_timetable(list(sizes))
    if full:
        check_timetable_size(path.name, sizes)
    tariff = load_gtfs_tariff(path, with_network=full, limits=limits)
    content: dict[str, Any] = {
        "kind": "gtfs",
        "fares_version": tariff.fares_version,
        "source": path.name,
        "agencies": [[a.id, a.name] for a in tariff.basics.agencies.values()],
        "files": stored_texts(path, limits),
    }
    if tariff.network is not None:
        content["network"] = network_to_dict(tariff.network)
    version = TariffVersion(
        name=name or path.stem, format="gtfs", status=VALIDATED, currency=tariff.engine.currency,
        valid_from=valid_from or date.today(), valid_to=None, content=content,
    )
    session.add(version)
    session.flush()
    if full:
        texts = read_timetable_texts(path, limits)
        session.add(TariffTimetable(tariff_version_id=version.id, source=path.name, content_hash=timetable_hash(texts),
                                    size_bytes=timetable_size(texts), archive=pack_timetable(texts),
                                    created_at=utcnow()))
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
        _install_gtfs_version(session, target)
    target.status = ACTIVE
    target.activated_at = utcnow()
    session.flush()
    return target


def _install_gtfs_version(session: Session, version: TariffVersion) -> None:
    """A GTFS version brings its operators (agencies), and a full feed its network and timetable.

    The network is recorded as the version's (``NetworkState.tariff_version_id``),
    which makes the timetable kept with the version the active one.
    """
    content = version.content
    network = network_from_dict(content["network"]) if content.get("network") else None
    modes: dict[str, Counter[str]] = {}
    for route in network.routes.values() if network else ():
        modes.setdefault(route.operator_id, Counter())[route.mode] += 1
    for agency_id, agency_name in content["agencies"]:
        if session.get(Operator, agency_id) is not None:
            continue  # keep what is known of an operator (bank details, VAT rate)
        counted = modes.get(agency_id)
        mode = counted.most_common(1)[0][0] if counted else "bus"
        upsert_operator(session, OperatorData(agency_id, agency_name, mode if mode in MODES else "bus"))
    session.flush()
    if network is not None:
        replace_network(session, network.stops.values(), network.routes.values(), network.walks,
                        tariff_version_id=version.id)


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

