"""Which timetable the planner plans on, and its texts.

The active timetable is the one of the stored network's current revision:
the timetable stored for that revision (``store_timetable``, as the demo
does), else the one kept with the GTFS tariff version the network was
installed from (``fares.services.activate_tariff``). A network replaced by a
source without a timetable has no active timetable, never a stale one.

Checking costs two small queries and loads no archive, so a per-process cache
can ask ``active_timetable_info`` on every request and load the texts
(``load_timetable_texts``) only when ``cache_key`` changes.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import Conflict, NotFound
from fares.gtfs.timetable_archive import (
    check_timetable_texts,
    pack_timetable,
    timetable_hash,
    timetable_size,
    unpack_timetable,
)
from fares.models import NetworkState, TariffTimetable
from journeys.models import TimetableRow

#: ``TimetableInfo.origin``: stored for the network revision, or kept with a tariff version.
NETWORK, TARIFF_VERSION = "network", "tariff_version"


@dataclass(frozen=True, slots=True)
class TimetableInfo:
    """What identifies a stored timetable, without its texts."""

    origin: str  # NETWORK or TARIFF_VERSION
    id: int  # the TimetableRow id, or the tariff version id
    revision: int  # the network revision it is the timetable of
    source: str  # the feed's file name, or what stored it
    content_hash: str  # SHA-256 of the texts (fares.gtfs.timetable_archive.timetable_hash)
    size_bytes: int  # of the texts, unpacked
    created_at: datetime

    @property
    def cache_key(self) -> tuple[str, int, str]:
        """Equal keys mean equal texts (the hash), across reloads that reuse ids."""
        return (self.origin, self.id, self.content_hash)


@dataclass(frozen=True, slots=True)
class StoredTimetable:
    info: TimetableInfo
    texts: Mapping[str, str]  # GTFS file name -> its text; read only

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def revision(self) -> int:
        return self.info.revision

    @property
    def source(self) -> str:
        return self.info.source

    @property
    def cache_key(self) -> tuple[str, int, str]:
        return self.info.cache_key


def store_timetable(session: Session, source: str, texts: Mapping[str, str]) -> TimetableInfo:
    """Make ``texts`` the timetable of the stored network's current revision, in the caller's transaction.

    Store the network first (``replace_network``): the timetable belongs to
    that revision and is no longer active once the network is replaced.
    Timetables of earlier revisions are removed, as they can never be active
    again.
    """
    check_timetable_texts(source, texts)
    revision = session.scalar(select(NetworkState.revision).where(NetworkState.id == 1))
    if revision is None:
        raise Conflict("no network is stored: store the network before its timetable", code="no_network")
    content_hash = timetable_hash(texts)
    # The same texts again (a demo reloaded): the row moves to the new revision, unpacked and
    # unchanged, so its cache key stays and no process rebuilds an equal timetable.
    row = session.scalars(select(TimetableRow).where(TimetableRow.content_hash == content_hash)
                          .order_by(TimetableRow.id.desc()).limit(1)).first()
    session.execute(delete(TimetableRow).where(TimetableRow.id != (row.id if row else -1)))
    if row is None:
        row = TimetableRow(network_revision=revision, source=source, content_hash=content_hash,
                           size_bytes=timetable_size(texts), archive=pack_timetable(texts), created_at=utcnow())
        session.add(row)
    else:
        row.network_revision, row.source = revision, source
    session.flush()
    return TimetableInfo(NETWORK, row.id, revision, row.source, row.content_hash, row.size_bytes, row.created_at)


def active_timetable_info(session: Session) -> TimetableInfo | None:
    """The active timetable's identity (no texts loaded), or None when the network has no timetable."""
    state = session.execute(
        select(NetworkState.revision, NetworkState.tariff_version_id).where(NetworkState.id == 1)).first()
    if state is None:
        return None
    revision, version_id = state
    own = session.execute(
        select(TimetableRow.id, TimetableRow.source, TimetableRow.content_hash, TimetableRow.size_bytes,
               TimetableRow.created_at)
        .where(TimetableRow.network_revision == revision).order_by(TimetableRow.id.desc()).limit(1)).first()
    if own is not None:
        return TimetableInfo(NETWORK, own[0], revision, own[1], own[2], own[3], own[4])
    if version_id is None:
        return None
    kept = session.execute(
        select(TariffTimetable.source, TariffTimetable.content_hash, TariffTimetable.size_bytes,
               TariffTimetable.created_at).where(TariffTimetable.tariff_version_id == version_id)).first()
    if kept is None:
        return None  # a version imported before timetables were kept: its network has none
    return TimetableInfo(TARIFF_VERSION, version_id, revision, kept[0], kept[1], kept[2], kept[3])


def load_timetable_texts(session: Session, info: TimetableInfo) -> dict[str, str]:
    """The texts of the timetable ``info`` names; NotFound when it was replaced since ``info`` was read."""
    if info.origin == NETWORK:
        query = select(TimetableRow.archive).where(TimetableRow.id == info.id)
        query = query.where(TimetableRow.content_hash == info.content_hash)
    elif info.origin == TARIFF_VERSION:
        query = select(TariffTimetable.archive).where(TariffTimetable.tariff_version_id == info.id)
        query = query.where(TariffTimetable.content_hash == info.content_hash)
    else:
        raise ValueError(f"unknown timetable origin {info.origin!r}")
    archive = session.scalar(query)
    if archive is None:
        raise NotFound(f"timetable {info.origin} {info.id} is no longer stored", code="timetable_replaced")
    return unpack_timetable(archive)


def active_timetable(session: Session) -> StoredTimetable | None:
    """The active timetable with its texts, or None when the network has none."""
    for _attempt in range(3):  # a replacement between the two reads: read again
        info = active_timetable_info(session)
        if info is None:
            return None
        try:
            return StoredTimetable(info, load_timetable_texts(session, info))
        except NotFound:
            continue
    raise Conflict("the timetable keeps being replaced; try again", code="timetable_replaced")
