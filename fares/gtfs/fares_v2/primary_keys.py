"""Primary keys: uniqueness as each Fares v2 file declares it in the GTFS reference, and the ids a file holds."""
from __future__ import annotations

from collections.abc import Hashable

from fares.gtfs.reader import RawFeed
from fares.validation import Problems


def ids_in(raw: RawFeed, file: str, column: str) -> frozenset[str]:
    """The ids a file holds, even on rows that failed validation: references to them are not reported again."""
    return frozenset(value for row in raw.rows(file) if (value := row.get(column)))


class PrimaryKeys:
    """Remembers the keys of one file; a repeated key is a problem on the repeating line."""

    def __init__(self, file: str, field: str, problems: Problems) -> None:
        self.file = file
        self.field = field
        self.problems = problems
        self.lines: dict[Hashable, int] = {}

    def is_new(self, key: Hashable, line: int) -> bool:
        first = self.lines.setdefault(key, line)
        if first != line:
            shown = key if not isinstance(key, tuple) else ", ".join("" if k is None else str(k) for k in key)
            self.problems.add(self.file, line, self.field, f"duplicate primary key ({shown}), first on line {first}")
            return False
        return True
