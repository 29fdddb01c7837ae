"""The fare-admin console in Chromium: a broken tariff's report, then a good one compared, its revenue impact
simulated on this period's sales, and activated. The demo tariff is active again afterwards."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_EMAIL
from tests.browser.portal_sales import activate, active_tariff_id, buy_journeys
from tests.webapp.tariff_files import broken_tariff, dearer_tariff_without_children

PERIOD = datetime.now(UTC).strftime("%Y-%m")


def choose_file(page, name: str, body: bytes) -> None:
    page.get_by_label("Tariff file (GTFS .zip or native .json)").set_input_files(
        {"name": name, "mimeType": "application/json", "buffer": body})


def test_an_admin_is_shown_the_errors_then_compares_simulates_and_activates(page, login, screenshot):
    buy_journeys(page.request, ("adult", "child"), "admin-browser")
    demo_tariff = active_tariff_id(page.request)
    login(page, ADMIN_EMAIL)
    page.get_by_role("link", name="Tariffs").click()
    expect(page).to_have_url(re.compile(r"/admin/tariffs$"))

    choose_file(page, "broken.json", broken_tariff())
    page.get_by_role("button", name="Check and store").click()
    expect(page.get_by_role("alert")).to_contain_text("The tariff was refused; nothing was stored.")
    report = page.locator("#validation-report")
    expect(report.locator("tbody tr")).to_have_count(2)
    expect(report.locator("tbody tr").first).to_have_text(
        re.compile(r"broken\.json\s*12\s*rider_categories\[1\]\.nam\s*Unknown field\."))
    expect(report.locator("tbody tr").nth(1)).to_contain_text("products[0].fare.fares[4].amount")
    screenshot(page, "admin-upload-refused")

    try:
        choose_file(page, "vau-2027.json", dearer_tariff_without_children())
        page.get_by_role("button", name="Check and store").click()
        expect(page.get_by_role("status")).to_contain_text("The tariff was checked and stored as version")
        expect(page.locator("#version-status")).to_have_text("checked, not active")
        differences = page.locator("#differences")
        expect(differences).to_contain_text("fare.fares[zones=5].amount")
        expect(differences.get_by_role("row", name="rider_categories child")).to_contain_text("removed")
        expect(page.locator("#sample-prices tbody tr")).not_to_have_count(0)
        screenshot(page, "admin-compare")

        page.get_by_label("Sales of the period (YYYY-MM)").fill(PERIOD)
        page.get_by_role("button", name="Simulate the revenue impact").click()
        expect(page.locator("#impact-summary")).to_contain_text(f"sold in {PERIOD}")
        for operator_id in ("SWA", "RBA", "BVB"):
            expect(page.locator(f'tr[data-operator="{operator_id}"]')).to_be_visible()
        expect(page.locator("#unpriced")).to_contain_text("unknown rider category 'child'")
        screenshot(page, "admin-revenue-impact")

        page.get_by_role("button", name="Activate").click()  # the browser asks for the confirmation first
        expect(page).to_have_url(re.compile(r"/impact\?period="))
        page.get_by_label("I have compared this version").check()
        page.get_by_role("button", name="Activate").click()
        expect(page.get_by_role("status")).to_contain_text("is active: every new price comes from it")
        expect(page.locator("#version-status")).to_have_text("active")
        screenshot(page, "admin-activated")
    finally:
        activate(page.request, demo_tariff)  # the other browser tests price with the demo tariff
