from __future__ import annotations

from typing import Any

from flask import request

from core.errors import ValidationFailed


def json_body() -> dict[str, Any]:
    """The JSON object of a plain Flask view; API views load theirs with ``@bp.arguments(Schema)`` instead."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("the request body must be a JSON object (Content-Type: application/json)",
                               details=[{"field": None, "message": "expected a JSON object"}])
    return body
