"""The pages' shared script (static/app.js) in Chromium: formatting by language, API calls with the session."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PASSENGER_EMAIL


def test_fb_money_and_dates_follow_the_pages_language(page):
    page.goto("/?lang=de")
    assert page.evaluate("fb.money(710, 'EUR')") == "7,10\u00a0€"
    assert page.evaluate("fb.datetime('2026-06-01T22:30:00Z')") == "02.06.2026, 00:30"  # the network's time zone
    page.goto("/?lang=en")
    assert page.evaluate("fb.money(710, 'EUR')") == "€7.10"
    assert page.evaluate("fb.decimalMoney('7.10', 'EUR')") == "€7.10"


def test_fb_api_acts_as_the_logged_in_user_and_reports_errors(page, login):
    page.goto("/")
    anonymous = page.evaluate("fb.api('/api/v1/wallets', {method: 'POST', json: {}}).catch(e => [e.status, e.code])")
    assert anonymous == [401, "unauthorized"]
    login(page, PASSENGER_EMAIL)
    wallet = page.evaluate("fb.api('/api/v1/wallets', {method: 'POST', json: {}})")
    assert wallet["balance"] == "50.00" and wallet["currency"] == "EUR"


def test_the_layout_breaks_no_content_security_rule_and_works_by_keyboard(page, screenshot):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.set_viewport_size({"width": 375, "height": 740})  # a phone
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    screenshot(page, "login-phone")
    assert problems == []
