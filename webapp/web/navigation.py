"""The header's links, chosen by the visitor's role. Each page module lists its own in ``NAV``."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

ANONYMOUS = "anonymous"
NAV_KEY = "farebridge.nav"
ROLE_LABELS = {"admin": _l("fare administrator"), "operator": _l("operator"), "passenger": _l("passenger")}


@dataclass(frozen=True, slots=True)
class NavItem:
    endpoint: str
    label: str  # a lazy_gettext string
    roles: tuple[str, ...]  # "anonymous", "passenger", "operator", "admin"


@dataclass(frozen=True, slots=True)
class NavLink:
    endpoint: str
    label: str
    current: bool


def add_nav_items(app: Flask, items: Iterable[NavItem]) -> None:
    app.extensions.setdefault(NAV_KEY, []).extend(items)


def nav_links() -> list[NavLink]:
    role = current_user.role if current_user.is_authenticated else ANONYMOUS
    items: list[NavItem] = current_app.extensions.get(NAV_KEY, [])
    return [NavLink(item.endpoint, str(item.label), item.endpoint == request.endpoint)
            for item in items if role in item.roles]
