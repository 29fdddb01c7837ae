"""Browser pages. The booking pages grow in the web app issue; for now a start page."""
from __future__ import annotations

from flask import Blueprint, render_template

from operators.services import list_operators
from webapp.extensions import runtime

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    with runtime().session_factory() as session:
        operators = list_operators(session)
    return render_template("index.html", operators=operators)
