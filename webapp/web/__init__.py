"""The browser pages: one blueprint per area, sharing the layout, sessions, security and languages.

A page module has ``bp`` (a Blueprint) and may have ``NAV`` (its header links);
add it to PAGE_MODULES.
"""
from __future__ import annotations

from types import ModuleType

from flask import Flask
from flask_login import current_user

from core.config import Settings
from webapp.web import admin, auth_pages, booking, portal, start, tickets_pages
from webapp.web.i18n import init_i18n
from webapp.web.navigation import ROLE_LABELS, add_nav_items, nav_links
from webapp.web.security import init_security
from webapp.web.session_auth import init_sessions

PAGE_MODULES: tuple[ModuleType, ...] = (start, booking, tickets_pages, portal, admin, auth_pages)


def register_pages(app: Flask) -> None:
    settings: Settings = app.extensions["farebridge.runtime"].settings
    init_security(app, settings)
    init_sessions(app)
    init_i18n(app, settings.timezone)
    for module in PAGE_MODULES:
        app.register_blueprint(module.bp)
        add_nav_items(app, getattr(module, "NAV", ()))
    app.jinja_env.globals.update(nav_links=nav_links, current_user=current_user, role_labels=ROLE_LABELS)
