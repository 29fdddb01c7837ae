"""Accounting periods are calendar months in UTC, written ``YYYY-MM``."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from core.errors import ValidationFailed

#: Years 1970-2999: a month outside cannot hold a sale, and year 0 or 9999-12 has no datetime end.
PERIOD_PATTERN = r"^(19[7-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])$"
_PERIOD = re.compile(PERIOD_PATTERN)


def period_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def parse_period(text: str) -> tuple[datetime, datetime]:
    """``"2026-11"`` -> (start, end) in UTC, end exclusive."""
    match = _PERIOD.match(text or "")
    if not match:
        raise ValidationFailed(f"period must be a month YYYY-MM of 1970-2999 like 2026-11, not {text!r}",
                               details=[{"field": "period", "message": "a month YYYY-MM of 1970-2999"}])
    year, month = int(match.group(1)), int(match.group(2))
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return start, end
