"""CSRF for forms, secure headers (Flask-Talisman) and the login rate limit (Flask-Limiter).

The JSON API under /api/ is not CSRF-checked here: Bearer calls need no CSRF
token, and a page's fetch call is only treated as its session user with a
valid X-CSRFToken header (webapp.web.session_auth.session_user_for_api).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

from core.config import Settings
from webapp.web.errors import API_PREFIX

F = TypeVar("F", bound=Callable[..., Any])

SELF = "'self'"
# Pages load their scripts and styles as files from /static: no inline code, nothing from elsewhere.
CONTENT_SECURITY_POLICY: dict[str, str | list[str]] = {
    "default-src": SELF,
    "script-src": SELF,
    "style-src": SELF,
    "img-src": [SELF, "data:"],
    "connect-src": SELF,
    "font-src": SELF,
    "object-src": "'none'",
    "base-uri": SELF,
    "form-action": SELF,
    "frame-ancestors": "'none'",
}
LIMITER_KEY = "farebridge.limiter"


def content_security_policy(**directives: str | list[str]) -> Callable[[F], F]:
    """The hook for a view that needs more than the site's policy (say an API documentation page).

    ``@content_security_policy(**{"script-src": ["'self'", "'unsafe-inline'"]})`` keeps the
    other directives and replaces the named ones for this view only.
    """
    policy = {**CONTENT_SECURITY_POLICY, **directives}

    def decorate(view: F) -> F:
        options = dict(getattr(view, "talisman_view_options", {}))
        options["content_security_policy"] = policy
        view.talisman_view_options = options  # type: ignore[attr-defined]  # read by Flask-Talisman per request
        return view

    return decorate


def _protect_forms(csrf: CSRFProtect) -> Callable[[], None]:
    def check() -> None:
        if not request.path.startswith(API_PREFIX):
            csrf.protect()

    return check


def init_security(app: Flask, settings: Settings) -> None:
    app.config.update(
        WTF_CSRF_CHECK_DEFAULT=False,  # checked by _protect_forms, which leaves the API to its own rule
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_url,
        RATELIMIT_HEADERS_ENABLED=False,
    )
    csrf = CSRFProtect(app)
    app.before_request(_protect_forms(csrf))
    Talisman(
        app,
        force_https=settings.force_https,
        strict_transport_security=settings.force_https,
        session_cookie_secure=settings.force_https,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )
    # a shared store (Redis) that goes down falls back to counting in this process rather than failing logins
    limiter = Limiter(get_remote_address, app=app, storage_uri=settings.ratelimit_storage_url,
                      in_memory_fallback_enabled=True)
    app.extensions[LIMITER_KEY] = limiter
    app.config["FAREBRIDGE_LOGIN_RATE_LIMIT"] = settings.login_rate_limit


def login_attempt_limit(email: str) -> Any:
    """A context manager that counts one login attempt for this client address and e-mail.

    Raises RateLimitExceeded (429) past the configured limit (FAREBRIDGE_LOGIN_RATE_LIMIT).
    """
    limiter: Limiter = current_app.extensions[LIMITER_KEY]
    key = f"{get_remote_address()}|{email.strip().lower()}"
    return limiter.limit(current_app.config["FAREBRIDGE_LOGIN_RATE_LIMIT"], key_func=lambda: key, scope="login")
