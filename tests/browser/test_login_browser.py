"""Logging in and out in Chromium, as each role."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_EMAIL, PASSENGER_EMAIL, operator_email


def test_each_role_logs_in_sees_its_role_and_logs_out(page, login):
    for email, role in ((ADMIN_EMAIL, "fare administrator"), (operator_email("RBA"), "operator RBA"),
                        (PASSENGER_EMAIL, "passenger")):
        login(page, email)
        expect(page.get_by_role("status")).to_contain_text(f"You are logged in as {email}")
        expect(page.locator(".who")).to_contain_text(email)
        expect(page.locator(".who")).to_contain_text(role)
        page.get_by_role("button", name="Log out").click()
        expect(page).to_have_url(re.compile(r"/login$"))
        expect(page.get_by_role("status")).to_contain_text("You are logged out")
        expect(page.locator(".who")).to_have_count(0)


def test_a_wrong_password_shows_an_error_and_keeps_the_visitor_out(page, login, screenshot):
    login(page, PASSENGER_EMAIL, "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("The e-mail or the password is not right.")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".who")).to_have_count(0)
    screenshot(page, "login-failed")


def test_the_login_page_speaks_german(page, login, screenshot):
    page.goto("/login?lang=de")
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()
    page.get_by_label("E-Mail").fill(ADMIN_EMAIL)
    page.get_by_label("Passwort").fill("farebridge-demo")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("status")).to_contain_text(f"Sie sind als {ADMIN_EMAIL} angemeldet")
    screenshot(page, "start-admin-de")
