"""The start page."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from operators.services import list_operators
from webapp.extensions import runtime
from webapp.web.navigation import NavItem
from webapp.web.session_auth import public

bp = Blueprint("start", __name__)

NAV = (NavItem("start.index", _l("Home"), ("anonymous", "passenger", "operator", "admin")),)


@bp.get("/")
@public
def index() -> str:
    with runtime().session_factory() as session:
        operators = list_operators(session)
    return render_template("index.html", operators=operators)
