"""German and English pages: the locale, and money and dates formatted by it (Babel).

The locale comes from ``?lang=`` (kept in the session), else the browser's
Accept-Language, else English.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from babel.core import negotiate_locale
from babel.numbers import get_currency_precision
from flask import Flask, request, session
from flask_babel import Babel, format_currency, format_date, format_datetime, get_locale

from core.money import exponent

LANGUAGES = ("en", "de")
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}
SESSION_KEY = "lang"


def select_locale() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session[SESSION_KEY] = asked
        return asked
    kept = session.get(SESSION_KEY)
    if kept in LANGUAGES:
        return str(kept)
    preferred = [tag for tag, _quality in request.accept_languages]  # best first; "en-GB" falls back to "en"
    return negotiate_locale(preferred, LANGUAGES, sep="-") or LANGUAGES[0]


def money(amount_minor: int | None, currency: str) -> str:
    """7,10 € in German, €7.10 in English: integer minor units in, never a float on the way."""
    if amount_minor is None:
        return ""
    digits = exponent(currency)
    amount = Decimal(amount_minor).scaleb(-digits)
    if digits != get_currency_precision(currency):  # show what the ledger holds, not Babel's rounding
        return str(format_currency(amount, currency, currency_digits=False, format_type="standard"))
    return str(format_currency(amount, currency))


def _parsed(value: datetime | date | str) -> datetime | date:
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    return value


def datetime_text(value: datetime | str | None, format: str = "medium") -> str:  # noqa: A002 - Babel's name
    """In the network's time zone (BABEL_DEFAULT_TIMEZONE), e.g. 24.11.2026, 08:05:00."""
    if value is None:
        return ""
    parsed = _parsed(value)
    if not isinstance(parsed, datetime):
        return date_text(parsed, format)
    return str(format_datetime(parsed, format))


def date_text(value: date | datetime | str | None, format: str = "medium") -> str:  # noqa: A002 - Babel's name
    if value is None:
        return ""
    return str(format_date(_parsed(value), format))  # a datetime is first moved to the network's time zone


def language_url(code: str) -> str:
    """The current page in another language."""
    args = request.args.to_dict(flat=False)
    args[SESSION_KEY] = [code]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def init_i18n(app: Flask, timezone: str) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LANGUAGES[0])
    app.config["BABEL_DEFAULT_TIMEZONE"] = timezone
    Babel(app, locale_selector=select_locale)
    app.add_template_filter(money, "money")
    app.add_template_filter(datetime_text, "datetime")
    app.add_template_filter(date_text, "date")
    app.jinja_env.globals.update(languages=LANGUAGE_NAMES, language_url=language_url, current_locale=get_locale,
                                 network_timezone=timezone)
