"""Collecting validation problems: every one names file, line, field and reason."""
from __future__ import annotations

from typing import Any

from core.errors import ValidationFailed


class Problems:
    """Gathers problems so that one upload reports all of them, then fails once."""

    def __init__(self, limit: int = 1000) -> None:
        self.items: list[dict[str, Any]] = []
        self.limit = limit

    def add(self, file: str | None, line: int | None, field: str | None, message: str) -> None:
        if len(self.items) < self.limit:
            self.items.append({"file": file, "line": line, "field": field, "message": message})

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self, source: str) -> None:
        if self.items:
            more = " (only the first shown)" if len(self.items) >= self.limit else ""
            raise ValidationFailed(f"{source}: {len(self.items)} problem(s){more}", details=list(self.items))
