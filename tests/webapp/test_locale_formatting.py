"""Pages in German and English: the language chosen, money and dates formatted by it (Babel)."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask

from webapp.web.i18n import date_text, datetime_text, init_i18n, money

NBSP = "\u00a0"


@pytest.fixture
def formatting_app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "test"
    init_i18n(app, "Europe/Berlin")
    return app


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", ["7,10" + NBSP + "€", "-7,10" + NBSP + "€", "1.234,56" + NBSP + "€", "710" + NBSP + "¥", ""]),
    ("en", ["€7.10", "-€7.10", "€1,234.56", "¥710", ""]),
])
def test_money_is_formatted_by_the_language_from_minor_units(formatting_app, lang, expected):
    with formatting_app.test_request_context(f"/?lang={lang}"):
        assert [money(710, "EUR"), money(-710, "EUR"), money(123456, "EUR"), money(710, "JPY"),
                money(None, "EUR")] == expected


def test_money_keeps_the_ledgers_digits_for_three_digit_currencies(formatting_app):
    with formatting_app.test_request_context("/?lang=de"):
        assert money(1234, "BHD") == "1,234" + NBSP + "BHD"


def test_dates_are_formatted_by_the_language_in_the_networks_time_zone(formatting_app):
    evening_utc = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)  # already 2 June in Berlin
    with formatting_app.test_request_context("/?lang=de"):
        assert datetime_text(datetime(2026, 11, 24, 7, 5, tzinfo=UTC)) == "24.11.2026, 08:05:00"
        assert date_text(date(2026, 11, 24)) == "24.11.2026"
        assert date_text(evening_utc) == "02.06.2026"
        assert datetime_text("2026-06-01T22:30:00+00:00", "short") == "02.06.26, 00:30"
    with formatting_app.test_request_context("/?lang=en"):
        assert datetime_text(datetime(2026, 11, 24, 7, 5, tzinfo=UTC)).startswith("Nov 24, 2026, 8:05:00")
        assert date_text(date(2026, 11, 24)) == "Nov 24, 2026"
        assert date_text("2026-06-01T22:30:00+00:00") == "Jun 2, 2026"


def test_the_language_comes_from_the_query_then_the_session_then_the_browser(client):
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)
    german = client.get("/?lang=de").get_data(as_text=True)
    assert '<html lang="de"' in german and "Zum Inhalt springen" in german
    assert '<html lang="de"' in client.get("/login").get_data(as_text=True)  # kept in the session
    assert '<html lang="en"' in client.get("/?lang=en").get_data(as_text=True)


@pytest.mark.parametrize(("accept", "lang"), [("de-DE,de;q=0.9,en;q=0.8", "de"), ("fr-FR,fr;q=0.9", "en"),
                                               ("en-GB,de;q=0.5", "en")])
def test_without_a_choice_the_browsers_languages_decide(app, accept, lang):
    html = app.test_client().get("/login", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert f'<html lang="{lang}"' in html


def test_the_language_links_keep_the_page_and_its_query(client):
    html = client.get("/login?next=/x").get_data(as_text=True)
    assert 'href="/login?next=%2Fx&amp;lang=de"' in html
