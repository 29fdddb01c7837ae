"""Log in with e-mail and password, log out."""
from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from webapp.extensions import runtime
from webapp.users import authenticate
from webapp.web.i18n import SESSION_KEY as LANGUAGE_KEY
from webapp.web.navigation import NavItem
from webapp.web.security import login_attempt_limit
from webapp.web.session_auth import SessionUser, public, safe_next

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

NAV = (NavItem("auth.login", _l("Log in"), ("anonymous",)),)

# Where each role lands after logging in when no page asked for it: where its work is.
ROLE_HOME: dict[str, str] = {"passenger": "booking.search", "operator": "portal.index", "admin": "admin.tariffs"}


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=255)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    next = StringField()


def _home(role: str) -> str:
    return url_for(ROLE_HOME.get(role, "start.index"))


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        if current_user.is_authenticated:
            return redirect(form.next.data or _home(current_user.role))
        return render_template("auth/login.html", form=form)
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400
    email = form.email.data or ""
    with login_attempt_limit(email):
        with runtime().uow() as uow:
            user = authenticate(uow.session, email, form.password.data or "")
            if user is not None:
                uow.commit()  # a rehashed password
                who = SessionUser.of(user)
    if user is None:
        log.info("failed login")
        return render_template("auth/login.html", form=form, failed=True), 401
    language = session.get(LANGUAGE_KEY)
    session.clear()  # nothing from before the login carries over
    if language:
        session[LANGUAGE_KEY] = language
    login_user(who)
    log.info("login user_id=%s role=%s", who.id, who.role)
    flash(_("You are logged in as %(email)s.", email=who.email), "success")
    return redirect(safe_next(form.next.data) or _home(who.role))


@bp.post("/logout")
@public
def logout() -> Response:
    language = session.get(LANGUAGE_KEY)
    logout_user()
    session.clear()
    if language:
        session[LANGUAGE_KEY] = language
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"))
