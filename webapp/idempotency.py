"""``Idempotency-Key`` for money-moving POSTs: the first response is replayed for a retry, to the same caller.

The scope of a key is method, path and principal: the user (a session or a
user's token), else the hash of the bearer token (a guest's order token),
else "anonymous", where only an unguessable key is accepted (docs/api.md).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import jsonify, make_response, request

from core import idempotency
from core.access_tokens import hash_token
from core.errors import FarebridgeError, ValidationFailed
from webapp.auth import current_principal
from webapp.errors import error_body, status_for
from webapp.extensions import runtime

F = TypeVar("F", bound=Callable[..., Any])
REPLAY_HEADER = "Idempotent-Replayed"


def caller_scope(key: str) -> str:
    """Who the key belongs to: nobody replays another caller's response."""
    principal = current_principal()
    if principal.user_id is not None:
        return f"user:{principal.user_id}"
    if principal.bearer:
        return f"token:{hash_token(principal.bearer)}"
    if not idempotency.unguessable(key):
        raise ValidationFailed(
            "without a login or token, the Idempotency-Key must be unguessable: send a random UUID4 "
            f"(at least {idempotency.ANONYMOUS_KEY_MIN_LENGTH} characters, about "
            f"{idempotency.ANONYMOUS_KEY_MIN_BITS} bits of randomness)",
            details=[{"field": "Idempotency-Key", "message": "guessable key for an anonymous request"}],
            code="idempotency_key_guessable")
    return "anonymous"


def idempotent(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 255:
            raise ValidationFailed("Idempotency-Key must be 1 to 255 characters",
                                   details=[{"field": "Idempotency-Key"}])
        scope = f"{request.method} {request.path} {caller_scope(key)}"
        fingerprint = idempotency.request_fingerprint(request.get_json(silent=True))
        factory = runtime().session_factory
        stored = idempotency.claim(factory, scope, key, fingerprint)
        if stored is not None:
            response = make_response(jsonify(stored.body), stored.status)
            response.headers[REPLAY_HEADER] = "true"
            return response
        try:
            response = make_response(view(*args, **kwargs))
        except FarebridgeError as error:
            status, body = status_for(error), error_body(error.code, error.message, error.details)
            if status >= 500:  # e.g. the payment provider is unavailable: a retry may succeed
                idempotency.release(factory, scope, key)
            else:
                idempotency.complete(factory, scope, key, status, body)
            return make_response(jsonify(body), status)
        except BaseException:
            idempotency.release(factory, scope, key)
            raise
        if response.status_code >= 500:
            idempotency.release(factory, scope, key)
        else:
            idempotency.complete(factory, scope, key, response.status_code, response.get_json(silent=True))
        return response

    return wrapper  # type: ignore[return-value]
