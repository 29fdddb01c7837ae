"""The operator portal in Chromium: an operator reads its statement, downloads it, opens the sales behind a
day, and cannot open another operator's statement."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import operator_email
from tests.browser.portal_sales import buy_journeys, settle

PERIOD = datetime.now(UTC).strftime("%Y-%m")


def test_an_operator_reads_and_downloads_its_statement_and_cannot_open_anothers(page, login, screenshot):
    buy_journeys(page.request, ("adult", "adult", "child"), "portal-browser")
    settled = settle(page.request, PERIOD)
    rba, swa = settled["RBA"], settled["SWA"]

    login(page, operator_email("RBA"))
    page.get_by_role("link", name="Settlements").click()
    expect(page).to_have_url(re.compile(r"/portal/operators/RBA$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Settlements of Regionalbahn Auental")
    page.get_by_role("link", name=PERIOD).click()
    expect(page.locator("#total-payable")).to_have_text(f"€{rba['total']}")
    expect(page.locator("svg.revenue-chart rect.bar")).not_to_have_count(0)
    screenshot(page, "portal-statement")

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    assert csv_download.value.suggested_filename == f"statement_RBA_{PERIOD}.csv"
    rows = list(csv.reader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["operator_id", "period", "sale_id"]
    assert rows[-1][2:] == ["TOTAL", "", "", "", rba["total"], "EUR"]

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download PDF").click()
    assert pdf_download.value.suggested_filename == f"statement_RBA_{PERIOD}.pdf"
    body = Path(pdf_download.value.path()).read_bytes()
    assert body.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())
    assert f"Total payable {rba['total']} EUR" in text

    page.locator("table[data-key=day] tbody th a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sales behind the figure")
    expect(page.locator("tr.sale").first).to_contain_text("RBA")
    expect(page.locator("tr.sale").first.locator("li.own")).not_to_have_count(0)
    screenshot(page, "portal-sales-of-a-day")

    response = page.goto(f"/portal/settlements/{swa['id']}")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You may not open this page")
    assert page.request.get(f"/portal/settlements/{swa['id']}/statement.csv").status == 403
    assert page.request.get(f"/portal/settlements/{swa['id']}/statement.pdf").status == 403
    screenshot(page, "portal-other-operator-403")


def test_the_statement_reads_in_german(page, login, screenshot):
    settled = settle(page.request, PERIOD)
    login(page, operator_email("RBA"))
    page.goto(f"/portal/settlements/{settled['RBA']['id']}?lang=de")
    expect(page.get_by_role("heading", name="Täglicher Nettoerlös")).to_be_visible()
    expect(page.locator("#total-payable")).to_have_text(f"{settled['RBA']['total'].replace('.', ',')}\xa0€")
    screenshot(page, "portal-statement-de")
