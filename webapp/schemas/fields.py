"""Field types of our JSON responses, so the OpenAPI document says what the strings hold."""
from __future__ import annotations

from marshmallow import fields


class Amount(fields.String):
    """Money as a decimal string in major units (``"8.37"``), always next to ``currency``."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("metadata", {"example": "8.37"})
        super().__init__(**kwargs)  # type: ignore[arg-type]


class Timestamp(fields.String):
    """An ISO 8601 date-time with its offset; the response builders format it already."""

