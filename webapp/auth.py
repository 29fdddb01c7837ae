"""Who calls the API: Bearer tokens (users and guest order tokens), else the logged-in page session."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from core.errors import Forbidden, Unauthorized
from ticketing.models import Order
from ticketing.services import check_order_access
from webapp.extensions import runtime
from webapp.users import user_for_token
from webapp.web.session_auth import session_user_for_api

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Principal:
    role: str | None  # None: an anonymous caller or a guest holding an order token
    operator_id: str | None
    bearer: str | None
    user_id: int | None = None

    @property
    def passenger_id(self) -> int | None:
        return self.user_id if self.role == "passenger" else None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_principal() -> Principal:
    if "principal" not in g:
        token = bearer_token()
        role = operator_id = user_id = None
        if token:
            with runtime().session_factory() as session:
                user = user_for_token(session, token)
                if user is not None:
                    role, operator_id, user_id = user.role, user.operator_id, user.id
        else:
            session_user = session_user_for_api()  # a page's fetch call: its session, with the CSRF header
            if session_user is not None:
                role, operator_id, user_id = session_user.role, session_user.operator_id, session_user.id
        g.principal = Principal(role, operator_id, token, user_id)
    principal: Principal = g.principal
    return principal


def require_role(*roles: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal.role is None:
                raise Unauthorized("this needs an API token: Authorization: Bearer TOKEN")
            if principal.role not in roles:
                raise Forbidden(f"this needs the role {' or '.join(roles)}")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def require_order_access(order: Order) -> None:
    """The order's guest access token, its passenger, or an admin."""
    principal = current_principal()
    check_order_access(order, principal.bearer, principal.passenger_id, principal.is_admin)


def require_operator_access(operator_id: str) -> None:
    """Admins see every operator; an operator sees only itself."""
    principal = current_principal()
    if principal.role is None:
        raise Unauthorized("this needs an API token: Authorization: Bearer TOKEN")
    if principal.is_admin:
        return
    if principal.role == "operator" and principal.operator_id == operator_id:
        return
    raise Forbidden("an operator can only see its own data")
