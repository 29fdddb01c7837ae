"""The operator portal: settlement periods, statements (CSV, PDF), the daily chart and the sales behind a figure.

An operator sees its own operator only (another's pages answer the 403 page);
an admin may open every operator's. Downloads are page routes with the same
check, so the browser's session is enough (no API token).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import Session

from clearing.models import Settlement
from clearing.settlement import get_settlement, settlements_of, statement_file_name
from clearing.statements.data import statement_of
from clearing.statements.drilldown import figure_of, open_periods
from clearing.statements.pdf import render_statement_pdf
from core.errors import NotFound
from operators.models import Operator
from operators.services import list_operators
from webapp.extensions import runtime
from webapp.web.navigation import NavItem
from webapp.web.revenue_chart import daily_chart
from webapp.web.session_auth import login_required

bp = Blueprint("portal", __name__, url_prefix="/portal")

NAV = (NavItem("portal.index", _l("Settlements"), ("operator", "admin")),)
ROLES = ("operator", "admin")


def _may_see(operator_id: str) -> None:
    """Admins see every operator; an operator only itself (the 403 page otherwise)."""
    if current_user.role == "operator" and current_user.operator_id != operator_id:
        abort(403)


def _settlement(session: Session, settlement_id: int) -> Settlement:
    settlement = get_settlement(session, settlement_id)
    _may_see(settlement.operator_id)
    return settlement


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                      "Cache-Control": "private, no-store"})


def _page_arg() -> int:
    text = request.args.get("page", "1")
    return int(text) if text.isdigit() and int(text) > 0 else 1


@bp.get("/")
@login_required(*ROLES)
def index() -> Response | str:
    if current_user.role == "operator":
        return redirect(url_for("portal.operator", operator_id=current_user.operator_id))
    with runtime().session_factory() as session:
        operators = list_operators(session)
    return render_template("portal/index.html", operators=operators)


@bp.get("/operators/<operator_id>")
@login_required(*ROLES)
def operator(operator_id: str) -> str:
    with runtime().session_factory() as session:
        found = session.get(Operator, operator_id)
        if found is None:  # before the ownership check: operators are public (GET /api/v1/operators)
            raise NotFound(f"no operator {operator_id}")
        _may_see(operator_id)
        settlements = list(reversed(settlements_of(session, operator_id)))
        return render_template("portal/operator.html", operator=found, settlements=settlements,
                               open_periods=open_periods(session, operator_id))


@bp.get("/settlements/<int:settlement_id>")
@login_required(*ROLES)
def statement(settlement_id: int) -> str:
    with runtime().session_factory() as session:
        settlement = _settlement(session, settlement_id)
        data = statement_of(session, settlement)
        return render_template("portal/statement.html", settlement=settlement, statement=data,
                               chart=daily_chart(data))


@bp.get("/settlements/<int:settlement_id>/items")
@login_required(*ROLES)
def items(settlement_id: int) -> str:
    day = request.args.get("day") or None
    product = request.args.get("product") or None
    with runtime().session_factory() as session:
        settlement = _settlement(session, settlement_id)
        figure = figure_of(session, settlement, day=day, product=product, page=_page_arg())
        return render_template("portal/items.html", settlement=settlement, figure=figure)


@bp.get("/settlements/<int:settlement_id>/statement.csv")
@login_required(*ROLES)
def statement_csv(settlement_id: int) -> Response:
    with runtime().session_factory() as session:
        settlement = _settlement(session, settlement_id)
        return _download(settlement.statement_csv, "text/csv", statement_file_name(settlement, "csv"))


@bp.get("/settlements/<int:settlement_id>/statement.pdf")
@login_required(*ROLES)
def statement_pdf(settlement_id: int) -> Response:
    """Rendered from the shares the settlement took, as the API does."""
    with runtime().session_factory() as session:
        settlement = _settlement(session, settlement_id)
        body = render_statement_pdf(statement_of(session, settlement))
        return _download(body, "application/pdf", statement_file_name(settlement, "pdf"))
