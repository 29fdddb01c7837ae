"""flask-smorest wiring: the OpenAPI document, the request parser and our one error mapping.

Every API blueprint is an :class:`ApiBlueprint`; its ``arguments`` and
``response`` decorators load requests and dump responses with marshmallow
schemas and describe both in ``/api/v1/openapi.json``. Parsing errors do not
use flask-smorest's or webargs' own error bodies: they are raised as
marshmallow ``ValidationError`` / ``ValidationFailed`` and become our
``{"error": {...}}`` in ``webapp/errors.py``.
"""
from __future__ import annotations

import json
from typing import Any, NoReturn

import flask_smorest
from flask import Flask, Response
from marshmallow import RAISE, Schema, ValidationError, missing
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from core.errors import ValidationFailed
from core.input_limits import load_json
from webapp.errors import http_error_response
from webapp.extensions import runtime
from webapp.schemas.errors import ErrorResponseSchema
from webapp.schemas.fields import Amount, Timestamp

URL_PREFIX = "/api/v1"
BEARER_SCHEME = "bearerAuth"

# Security requirements for ``@bp.doc(security=...)``
BEARER = [{BEARER_SCHEME: []}]
BEARER_OPTIONAL = [{}, {BEARER_SCHEME: []}]  # anonymous works; a token (guest order token, user) may matter

IDEMPOTENCY_KEY = {
    "in": "header", "name": "Idempotency-Key", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "Any unique string per operation. The same key with the same body replays the first answer "
                   "(with `Idempotent-Replayed: true`) to the same caller; the same key with another body is 409. "
                   "Without a token or login the key must be unguessable (a random UUID4), else 422.",
}
IDEMPOTENCY_KEY_REQUIRED = {**IDEMPOTENCY_KEY, "required": True}


def binary(content_type: str, description: str) -> dict[str, Any]:
    """An OpenAPI response for a file (PDF, CSV, XML, SVG) rather than JSON."""
    return {"description": description,
            "content": {content_type: {"schema": {"type": "string", "format": "binary"}}}}


class ApiParser(FlaskParser):
    """webargs parser whose errors go to ``webapp/errors.py`` instead of aborting with its own body.

    It adds the location ``multipart``: the files and the form fields of one multipart request together.
    """

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}
    # A query parameter the operation does not know is refused (422 naming it), as the document says
    # (no additional parameters): a misspelt ``perod=`` must not silently fall back to a default.
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE, "querystring": RAISE}

    def load_multipart(self, req: Any, schema: Schema) -> Any:
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)

    def handle_error(self, error: ValidationError, req: Any, schema: Schema, *, error_status_code: int | None,
                     error_headers: Any) -> NoReturn:
        messages = error.messages
        # webargs nests messages under the location ("json", "query"...); our details name the field alone
        if isinstance(messages, dict) and len(messages) == 1:
            messages = next(iter(messages.values()))
        raise ValidationError(messages)

    def load_querystring(self, req: Any, schema: Schema) -> Any:
        """A NUL character in a parameter is refused here: PostgreSQL cannot hold it (a DataError, a 500, before)."""
        for name, value in req.args.items(multi=True):
            if "\x00" in name or "\x00" in value:
                raise ValidationFailed(f"the query parameter {name!r} holds a NUL character",
                                       details=[{"field": name, "message": "a NUL character (%00)"}])
        return super().load_querystring(req, schema)

    def _raw_load_json(self, req: Any) -> Any:
        """The body through ``core.input_limits.load_json``: bounded depth and numbers, no NUL (one place)."""
        if not is_json_request(req):
            return missing
        data = req.get_data(cache=True)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(f"Bytes decoding error : {exc.reason}", doc=str(exc.object),
                                       pos=exc.start) from exc
        return load_json(text, runtime().settings.input_limits)

    def _handle_invalid_json_error(self, error: json.JSONDecodeError | UnicodeDecodeError, req: Any,
                                   *args: Any, **kwargs: Any) -> NoReturn:
        raise ValidationFailed("the request body must be a JSON object (Content-Type: application/json)",
                               details=[{"field": None, "message": f"not valid JSON: {error}"}])


class ApiBlueprint(flask_smorest.Blueprint):
    """One area of the API under /api/v1. Flask knows it as ``api_<tag>``; the document tags it ``<tag>``."""

    ARGUMENTS_PARSER = ApiParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "multipart": "multipart/form-data"}

    def __init__(self, tag: str, import_name: str, description: str = "") -> None:
        super().__init__(f"api_{tag}", import_name, url_prefix=URL_PREFIX, description=description)
        self.tag = tag

    def route(self, rule: str, *, parameters: Any = None, tags: Any = None, **options: Any) -> Any:
        return super().route(rule, parameters=parameters, tags=tags or [self.tag], **options)


class FarebridgeApi(flask_smorest.Api):
    ERROR_SCHEMA = ErrorResponseSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        return http_error_response(error)

    def register_blueprint(self, blp: ApiBlueprint, **options: Any) -> None:  # type: ignore[override]
        self._app.extensions["flask-smorest"]["blp_name_to_api"][blp.name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=blp.name, parameters=None)
        self.spec.tag({"name": blp.tag, "description": blp.description})


def openapi_config(swagger_ui_url: str) -> dict[str, Any]:
    return {
        "API_TITLE": "Farebridge API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": URL_PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": swagger_ui_url,
        # no call to the public validator badge: the page works offline
        "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None, "persistAuthorization": True},
        "API_SPEC_OPTIONS": {
            "info": {"description": "Plan, price and buy multimodal tickets; clearing and settlement for operators. "
                                    "Money is a decimal string in major units next to `currency`; errors are "
                                    '`{"error": {"code", "message", "details"}}` with a 4xx status.'},
            "servers": [{"url": "/"}],
        },
    }


def make_api(app: Flask, swagger_ui_url: str) -> FarebridgeApi:
    for key, value in openapi_config(swagger_ui_url).items():
        app.config.setdefault(key, value)
    app.url_map.converters["uuid_text"] = UuidText
    api = FarebridgeApi(app)
    api.register_converter(UuidText, uuid_param_schema)
    api.register_field(Amount, "string", "decimal")
    api.register_field(Timestamp, "string", "date-time")
    api.spec.components.security_scheme(BEARER_SCHEME, {
        "type": "http", "scheme": "bearer",
        "description": "An API token (`farebridge users create`, demo: `demo-admin`, `demo-operator-rba`, "
                       "`demo-passenger`) or the `access_token` of a guest order or pass.",
    })
    return api


class UuidText(BaseConverter):
    """A UUID in a URL, kept as text (our ids are ``str(uuid4())``).

    Used where a fixed word shares the path (``/tickets/public-key``, ``/passes/products``), so
    the document says which values are ids and no id can be taken for the word.
    """

    regex = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def uuid_param_schema(converter: BaseConverter) -> dict[str, Any]:
    return {"type": "string", "format": "uuid"}
