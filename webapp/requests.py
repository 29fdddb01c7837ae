"""Request bodies: JSON parsed within the configured limits, and the object of a plain view."""
from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider

from core.errors import ValidationFailed
from core.input_limits import InputLimits, load_json


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON with ``load_json``'s limits, for ``request.get_json`` (API views parse through webargs)."""

    def __init__(self, app: Flask, limits: InputLimits) -> None:
        super().__init__(app)
        self.limits = limits

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return load_json(s, self.limits, **kwargs)


def json_body() -> dict[str, Any]:
    """The JSON object of a plain Flask view; API views load theirs with ``@bp.arguments(Schema)`` instead."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("the request body must be a JSON object (Content-Type: application/json)",
                               details=[{"field": None, "message": "expected a JSON object"}])
    return body
