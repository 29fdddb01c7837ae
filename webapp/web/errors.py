"""Error pages: a page request that fails gets an HTML page in the site's layout, an API request JSON."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"

TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You may not open this page"),
    404: _l("Page not found"),
    405: _l("This is not allowed here"),
    413: _l("The upload is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}
EXPLANATIONS = {
    400: _l("Please go back, reload the page and try again."),
    403: _l("Your account does not have the role this page needs. Log in with another account or go back."),
    404: _l("The address may be mistyped, or the page has moved."),
    429: _l("Please wait a minute before you try again."),
    500: _l("It has been logged. Please try again later."),
}


def is_page_request() -> bool:
    return not request.path.startswith(API_PREFIX)


def page_error(status: int, message: str | None = None) -> tuple[str, int]:
    title = TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
    return render_template("errors/error.html", status=status, title=title,
                           message=message or EXPLANATIONS.get(status, "")), status


def page_message(error: HTTPException) -> str | None:
    """Our own words for the page; werkzeug's descriptions are English and technical."""
    if isinstance(error, CSRFError):
        return str(_l("The form had expired or did not come from this site. Please reload the page and try again."))
    return None
