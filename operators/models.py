from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UtcDateTime, utcnow

MODES = ("rail", "bus", "tram", "ferry", "metro", "coach")
# VAT in basis points: 700 = 7 %, the German rate for local public transport (§12 (2) Nr. 10 UStG).
DEFAULT_VAT_RATE_BP = 700


class Operator(Base):
    __tablename__ = "operators"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(16))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    email: Mapped[str | None] = mapped_column(String(255))
    vat_rate_bp: Mapped[int] = mapped_column(Integer, default=DEFAULT_VAT_RATE_BP,
                                             server_default=str(DEFAULT_VAT_RATE_BP))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
