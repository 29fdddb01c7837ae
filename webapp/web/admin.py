"""The fare-admin console: upload a tariff, read its validation report, compare, simulate the revenue impact, activate.

Uploads go through ``fares.services.import_tariff_upload`` (the API's path): a
refused file stores nothing and its report (file, line, field, message) is
shown as a table. Activation is a POST with the form's CSRF token and an
explicit confirmation.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import DataRequired, Length, Optional

from clearing.periods import parse_period
from core.db import utcnow
from core.errors import InputTooLarge, NotFound, ValidationFailed
from core.input_limits import read_stream
from fares.cache import pricing_context
from fares.compare import compare_contents, compare_prices, sample_itineraries
from fares.models import TariffVersion
from fares.services import ACTIVE, activate_tariff, import_tariff_upload, list_tariffs
from ticketing.revenue_impact import default_period, simulate_revenue_impact
from webapp.extensions import runtime
from webapp.web.navigation import NavItem
from webapp.web.session_auth import login_required

bp = Blueprint("admin", __name__, url_prefix="/admin")

NAV = (NavItem("admin.tariffs", _l("Tariffs"), ("admin",)),)
SAMPLE_SIZE = 12
STATUS_LABELS = {"validated": _l("checked, not active"), "active": _l("active"), "retired": _l("retired")}


@bp.context_processor
def _labels() -> dict[str, object]:
    return {"status_labels": STATUS_LABELS}


class UploadForm(FlaskForm):
    file = FileField(_l("Tariff file (GTFS .zip or native .json)"), validators=[FileRequired()])
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=200)])
    valid_from = DateField(_l("Valid from (optional)"), validators=[Optional()])


class ActivateForm(FlaskForm):
    confirm = BooleanField(_l("I have compared this version and want it to price every sale from now on"),
                           validators=[DataRequired()])


def _version(session: Session, version_id: int) -> TariffVersion:
    version = session.get(TariffVersion, version_id)
    if version is None:
        raise NotFound(f"no tariff version {version_id}")
    return version


def _active(session: Session) -> TariffVersion | None:
    return session.scalars(select(TariffVersion).where(TariffVersion.status == ACTIVE)).one_or_none()


def _tariffs_page(form: UploadForm, errors: list[dict[str, object]] | None = None, message: str | None = None,
                  status: int = 200) -> tuple[str, int]:
    with runtime().session_factory() as session:
        versions = list(reversed(list_tariffs(session)))
        return render_template("admin/tariffs.html", versions=versions, form=form, errors=errors,
                               message=message), status


@bp.get("/tariffs")
@login_required("admin")
def tariffs() -> tuple[str, int]:
    return _tariffs_page(UploadForm())


@bp.post("/tariffs")
@login_required("admin")
def upload() -> Response | tuple[str, int]:
    form = UploadForm()
    if not form.validate_on_submit():
        return _tariffs_page(form, status=400)
    upload = form.file.data
    limits = runtime().settings.input_limits
    valid_from: date | None = form.valid_from.data
    uow = runtime().uow()
    try:
        raw = read_stream(upload.stream, limits.upload_bytes, limits.refuse(
            "upload_bytes", upload.filename, f"the file is larger than {limits.upload_bytes} bytes"))
        with uow:
            version = import_tariff_upload(uow.session, upload.filename or "", raw, form.name.data or None,
                                           valid_from, limits)
            uow.commit()
            version_id = version.id
    except ValidationFailed as refused:
        details = refused.details if isinstance(refused.details, list) else []
        return _tariffs_page(form, details, refused.message, status=413 if isinstance(refused, InputTooLarge) else 422)
    flash(_("The tariff was checked and stored as version %(id)s. Compare it before you activate it.",
            id=version_id), "success")
    return redirect(url_for("admin.tariff", version_id=version_id), code=303)


@bp.get("/tariffs/<int:version_id>")
@login_required("admin")
def tariff(version_id: int) -> str:
    with runtime().session_factory() as session:
        version = _version(session, version_id)
        active = _active(session)
        comparison = samples = None
        if active is not None and active.id != version.id:
            comparison = compare_contents(active.format, active.content, version.format, version.content)
        network = pricing_context(session, version.id).network
        samples = compare_prices(session, active, version, sample_itineraries(network, SAMPLE_SIZE))
        return render_template("admin/tariff.html", version=version, active=active, comparison=comparison,
                               samples=samples, form=ActivateForm(),
                               period=default_period(session, utcnow()))


@bp.get("/tariffs/<int:version_id>/impact")
@login_required("admin")
def impact(version_id: int) -> str:
    with runtime().session_factory() as session:
        version = _version(session, version_id)
        period = request.args.get("period") or default_period(session, utcnow())
        parse_period(period)  # a malformed period is the 422 page
        result = simulate_revenue_impact(session, version.id, period)
        return render_template("admin/impact.html", version=version, active=_active(session), impact=result,
                               form=ActivateForm())


@bp.post("/tariffs/<int:version_id>/activate")
@login_required("admin")
def activate(version_id: int) -> Response:
    form = ActivateForm()
    if not form.validate_on_submit():
        flash(_("Tick the confirmation to activate the version."), "error")
        return redirect(url_for("admin.tariff", version_id=version_id), code=303)
    uow = runtime().uow()
    with uow:
        version = activate_tariff(uow.session, version_id)
        uow.commit()
        name = version.name
    flash(_("Version %(id)s (%(name)s) is active: every new price comes from it.", id=version_id, name=name),
          "success")
    return redirect(url_for("admin.tariff", version_id=version_id), code=303)
