"""Persistence of timetables stored for a network directly (not kept with a tariff version)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

import fares.models  # noqa: F401  (the network whose revision a timetable belongs to)
from core.db import Base, UtcDateTime, utcnow


class TimetableRow(Base):
    """The timetable of network revision ``network_revision`` (the demo's, for one).

    ``archive`` is a zip of the GTFS timetable texts
    (``fares.gtfs.timetable_archive``), deferred so that checking which
    timetable is active never loads it. A full GTFS tariff version keeps its
    timetable in ``fares.models.TariffTimetable`` instead.
    """

    __tablename__ = "timetables"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    network_revision: Mapped[int] = mapped_column(Integer, index=True)
    source: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    archive: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
