"""Page sessions with Flask-Login: who is logged in, and ``login_required(*roles)`` for page views.

The session stores the user id plus a fingerprint of the password hash, so a
changed password ends every open session of that user.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, redirect, request, url_for
from flask_login import AnonymousUserMixin, LoginManager, current_user
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from webapp.extensions import runtime
from webapp.users import ROLES, User
from webapp.web.errors import page_error

F = TypeVar("F", bound=Callable[..., Any])

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Every page view says who may open it: tests/webapp/test_page_roles.py walks the URL map and checks each.
PAGE_ACCESS = "page_access"
PUBLIC = ("anonymous", *ROLES)
CSRF_HEADER = "X-CSRFToken"


@dataclass(frozen=True, slots=True)
class SessionUser:
    """The logged-in user as pages see it: a plain copy, detached from any database session."""

    id: int
    email: str
    role: str
    operator_id: str | None
    fingerprint: str

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.fingerprint}"

    @classmethod
    def of(cls, user: User) -> SessionUser:
        return cls(user.id, user.email or "", user.role, user.operator_id, _fingerprint(user.password_hash or ""))


class Anonymous(AnonymousUserMixin):
    role = None
    operator_id = None
    email = None


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _load_user(session_id: str) -> SessionUser | None:
    user_id, _, fingerprint = session_id.partition(":")
    if not user_id.isdigit():
        return None
    with runtime().session_factory() as session:
        user = session.get(User, int(user_id))
        if user is None or not user.password_hash or _fingerprint(user.password_hash) != fingerprint:
            return None
        return SessionUser.of(user)


def init_sessions(app: Flask) -> None:
    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.anonymous_user = Anonymous
    manager.user_loader(_load_user)
    manager.init_app(app)


def safe_next(target: str | None) -> str | None:
    """A same-site path to return to after login, never another host (open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def public(view: F) -> F:
    """A page anyone may open, logged in or not (the start page, the login page)."""
    setattr(view, PAGE_ACCESS, PUBLIC)
    return view


def login_required(*roles: str) -> Callable[[F], F]:
    """Anonymous: to the login page with ``next=``; logged in without one of ``roles``: the 403 page.

    Without roles any logged-in user may see the page.
    """
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s) {sorted(unknown)}; roles are {ROLES}")

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                here = request.full_path if request.query_string else request.path
                return redirect(url_for("auth.login", next=here))
            if roles and current_user.role not in roles:
                return page_error(403)
            return view(*args, **kwargs)

        setattr(wrapper, PAGE_ACCESS, tuple(roles) or ROLES)
        return wrapper  # type: ignore[return-value]

    return decorate


def session_user_for_api() -> SessionUser | None:
    """The page session's user for a JSON API call without a Bearer token.

    Safe methods need nothing more; anything else needs the page's CSRF token in
    the ``X-CSRFToken`` header, so another site cannot act with the session cookie.
    """
    if not current_user.is_authenticated:
        return None
    if request.method not in SAFE_METHODS:
        try:
            validate_csrf(request.headers.get(CSRF_HEADER))
        except ValidationError:
            return None
    user: SessionUser = current_user._get_current_object()  # type: ignore[attr-defined]
    return user
