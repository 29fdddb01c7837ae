"""The one place where errors become HTTP responses: ``{"error": {code, message, details}}``."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from core.errors import (
    Conflict,
    FarebridgeError,
    Forbidden,
    InputTooLarge,
    InvalidStateTransition,
    NoFareFound,
    NoJourneyFound,
    NotFound,
    PaymentDeclined,
    PaymentProviderUnavailable,
    PeriodClosed,
    QuoteExpired,
    RefundWindowClosed,
    Unauthorized,
    ValidationFailed,
)
from webapp.web.errors import is_page_request, page_error, page_message

log = logging.getLogger(__name__)

STATUS: dict[type[FarebridgeError], int] = {
    InputTooLarge: 413,
    ValidationFailed: 422,
    NoFareFound: 422,
    NoJourneyFound: 422,
    NotFound: 404,
    Conflict: 409,
    InvalidStateTransition: 409,
    QuoteExpired: 409,
    PeriodClosed: 409,
    RefundWindowClosed: 409,
    Forbidden: 403,
    Unauthorized: 401,
    PaymentDeclined: 402,
    PaymentProviderUnavailable: 503,
}


def status_for(error: FarebridgeError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def schema_error_details(messages: Any, prefix: str = "") -> list[dict[str, Any]]:
    """Flatten marshmallow messages into ``[{"field", "message"}]``."""
    if isinstance(messages, dict):
        out: list[dict[str, Any]] = []
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(key, int):
                name = f"{prefix}[{key}]"
            out.extend(schema_error_details(value, name))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"field": prefix or None, "message": m} for m in messages]
    if isinstance(messages, list):
        return [item for m in messages for item in schema_error_details(m, prefix)]
    return [{"field": prefix or None, "message": str(messages)}]


def http_error_response(error: HTTPException) -> Response:
    """Werkzeug's HTTP errors (404 of an unknown path, 405, 413...) in our error format.

    flask-smorest's ``Api`` delegates here too, so there is one error body whatever raised it.
    """
    code = (error.name or "error").lower().replace(" ", "_")
    message = error.description or error.name
    if isinstance(error, RequestEntityTooLarge):  # name the limit and its setting, as InputTooLarge does
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        message = (f"the request body is larger than {limit} bytes (FAREBRIDGE_MAX_UPLOAD_BYTES "
                   "plus 1 MiB for the form around a file)")
    response = jsonify(error_body(code, message))
    response.status_code = error.code or 500
    allowed = getattr(error, "valid_methods", None)  # 405 names the methods that work
    if allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(FarebridgeError)
    def _domain(error: FarebridgeError):  # type: ignore[no-untyped-def]
        if is_page_request():
            return page_error(status_for(error), error.message)
        body = error_body(error.code, error.message, error.details)
        if isinstance(error, ValidationFailed) and isinstance(error.details, list):
            body["errors"] = error.details  # the tariff upload contract: {"errors": [{file, line, field, message}]}
        return jsonify(body), status_for(error)

    @app.errorhandler(ValidationError)
    def _schema(error: ValidationError):  # type: ignore[no-untyped-def]
        return jsonify(error_body("invalid_request", "the request has invalid fields",
                                  schema_error_details(error.messages))), 422

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        if is_page_request():
            return page_error(error.code or 500, page_message(error))
        return http_error_response(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error")
        if is_page_request():
            return page_error(500)
        return jsonify(error_body("internal_error", "something went wrong on our side; it has been logged")), 500
