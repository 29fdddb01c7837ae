"""Persistence of the network and the tariff versions."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, ForeignKeyConstraint, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

import operators.models  # noqa: F401  (ForeignKey targets)
from core.db import Base, UtcDateTime, utcnow


class StopRow(Base):
    __tablename__ = "stops"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    zone_id: Mapped[str | None] = mapped_column(String(32))
    parent_station: Mapped[str | None] = mapped_column(String(64))
    town: Mapped[str | None] = mapped_column(String(100))


class RouteRow(Base):
    """A line, run by one operator, with a regular headway between first and last departure."""

    __tablename__ = "routes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[str] = mapped_column(ForeignKey("operators.id"), index=True)
    short_name: Mapped[str] = mapped_column(String(50))
    long_name: Mapped[str] = mapped_column(String(200), default="")
    mode: Mapped[str] = mapped_column(String(16))
    headway_s: Mapped[int] = mapped_column(Integer)
    first_departure_s: Mapped[int] = mapped_column(Integer)
    last_departure_s: Mapped[int] = mapped_column(Integer)


class RoutePatternRow(Base):
    """One stop pattern of a route (a direction or a variant); service values None: as the route."""

    __tablename__ = "route_patterns"

    route_id: Mapped[str] = mapped_column(ForeignKey("routes.id", ondelete="CASCADE"), primary_key=True)
    pattern_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction_id: Mapped[int] = mapped_column(Integer)
    headway_s: Mapped[int | None] = mapped_column(Integer)
    first_departure_s: Mapped[int | None] = mapped_column(Integer)
    last_departure_s: Mapped[int | None] = mapped_column(Integer)


class RouteStopRow(Base):
    """Stop ``sequence`` of a route pattern, ``offset_s`` after the pattern's first departure."""

    __tablename__ = "route_stops"
    __table_args__ = (ForeignKeyConstraint(["route_id", "pattern_index"],
                                           ["route_patterns.route_id", "route_patterns.pattern_index"],
                                           ondelete="CASCADE"),)

    route_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    pattern_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    stop_id: Mapped[str] = mapped_column(ForeignKey("stops.id"), index=True)
    offset_s: Mapped[int] = mapped_column(Integer)


class WalkRow(Base):
    """A walking transfer between two nearby stops (stored in both directions)."""

    __tablename__ = "walks"

    from_stop_id: Mapped[str] = mapped_column(ForeignKey("stops.id"), primary_key=True)
    to_stop_id: Mapped[str] = mapped_column(ForeignKey("stops.id"), primary_key=True)
    seconds: Mapped[int] = mapped_column(Integer)


class TariffVersion(Base):
    """An uploaded tariff. ``status``: validated -> active -> retired. Content is the validated package."""

    __tablename__ = "tariff_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class NetworkState(Base):
    """One row: bumped whenever the stored network changes, so caches know to rebuild.

    ``tariff_version_id``: the GTFS version whose feed the network was
    installed from (its timetable is kept with it), None for a network loaded
    otherwise.
    """

    __tablename__ = "network_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    tariff_version_id: Mapped[int | None] = mapped_column(ForeignKey("tariff_versions.id"))


class TariffTimetable(Base):
    """The timetable files of a full GTFS feed, kept with its tariff version until the version is activated.

    ``archive`` is a zip of the texts (``fares.gtfs.timetable_archive``),
    deferred so that listing or checking never loads it; ``content_hash`` is
    over the texts, not the zip, so it does not depend on the zlib build.
    """

    __tablename__ = "tariff_timetables"

    tariff_version_id: Mapped[int] = mapped_column(ForeignKey("tariff_versions.id", ondelete="CASCADE"),
                                                   primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    archive: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
