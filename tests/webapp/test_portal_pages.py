"""The operator portal's pages: each role boundary, the statement, its downloads and the sales behind a figure.

Sales are bought through the API (journey, order, card payment; clearing runs
in-process) and the period is settled through the API, on SQLite and PostgreSQL.
"""
from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from core.db import utcnow
from tests.conftest import ADMIN
from tests.webapp.page_session import ADMIN_EMAIL, PASSENGER_EMAIL, log_in, operator_email, page_csrf_token
from tests.webapp.test_thin_path_api import first_option, order, pay

PERIOD_NOW = utcnow().strftime("%Y-%m")


def buy_journeys(client, count: int = 2, rider: str = "adult") -> list[dict]:
    """Paid sales of the demo's three-operator journey (SWA, RBA, BVB), as a passenger's app buys them."""
    option = first_option(client, rider=rider)
    sold = []
    for n in range(count):
        created = order(client, option, key=f"portal-order-{rider}-{n}", rider=rider).json
        paid = pay(client, created, key=f"portal-pay-{rider}-{n}")
        assert paid.status_code == 200, paid.json
        sold.append(created)
    return sold


def settle(client, period: str = PERIOD_NOW) -> dict[str, dict]:
    response = client.post("/api/v1/settlements", json={"period": period}, headers=ADMIN)
    assert response.status_code == 201, response.json
    return {s["operator_id"]: s for s in response.json["settlements"]}


@pytest.fixture
def settled(client) -> dict[str, dict]:
    buy_journeys(client)
    return settle(client)


def portal_paths(settlement: dict) -> list[str]:
    sid = settlement["id"]
    return [f"/portal/operators/{settlement['operator_id']}", f"/portal/settlements/{sid}",
            f"/portal/settlements/{sid}/items", f"/portal/settlements/{sid}/statement.csv",
            f"/portal/settlements/{sid}/statement.pdf"]


def test_anonymous_visitors_are_sent_to_the_login_page(client, settled):
    for path in ["/portal/", *portal_paths(settled["RBA"])]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=")


def test_a_passenger_gets_the_403_page(client, settled):
    log_in(client, PASSENGER_EMAIL)
    for path in ["/portal/", *portal_paths(settled["RBA"])]:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "You may not open this page" in response.get_data(as_text=True)


def test_an_operator_gets_the_403_page_for_another_operators_data(client, settled):
    log_in(client, operator_email("SWA"))
    for path in portal_paths(settled["RBA"]):
        assert client.get(path).status_code == 403, path
    for path in portal_paths(settled["SWA"]):
        assert client.get(path).status_code == 200, path


def test_an_operator_lands_on_its_own_periods(client, settled):
    log_in(client, operator_email("RBA"))
    response = client.get("/portal/")
    assert response.status_code == 302 and response.headers["Location"] == "/portal/operators/RBA"
    page = client.get("/portal/operators/RBA").get_data(as_text=True)
    assert PERIOD_NOW in page and f"/portal/settlements/{settled['RBA']['id']}" in page


def test_an_admin_chooses_any_operator_and_opens_every_page(client, settled):
    log_in(client, ADMIN_EMAIL)
    index = client.get("/portal/").get_data(as_text=True)
    for operator_id in ("RBA", "SWA", "BVB", "TAL", "FAE"):
        assert f"/portal/operators/{operator_id}" in index
    for settlement in settled.values():
        for path in portal_paths(settlement):
            assert client.get(path).status_code == 200, path


def test_the_statement_page_shows_the_total_a_chart_bar_per_day_and_links_to_the_sales(client, settled):
    rba = settled["RBA"]
    log_in(client, operator_email("RBA"))
    page = client.get(f"/portal/settlements/{rba['id']}").get_data(as_text=True)
    assert f'id="total-payable">€{rba["total"]}<' in page
    assert page.count('class="bar"') + page.count('class="bar negative"') >= 28  # every day of the month
    today = utcnow().date().isoformat()
    assert f"/portal/settlements/{rba['id']}/items?day={today}" in page
    assert "<script" not in page.split("</head>")[1]  # no inline script in the body (CSP 'self')


def test_a_days_sales_add_up_to_the_figure_with_legs_and_the_own_share(client, settled):
    rba = settled["RBA"]
    log_in(client, operator_email("RBA"))
    today = utcnow().date().isoformat()
    page = client.get(f"/portal/settlements/{rba['id']}/items?day={today}").get_data(as_text=True)
    assert f'id="figure-total">€{rba["total"]}<' in page
    assert page.count('<tr class="sale">') == 2
    for operator_id in ("SWA", "RBA", "BVB"):  # the journey's legs, the weights of the split
        assert f"<li>{operator_id}" in page or f'<li class="own">{operator_id}' in page
    product = client.get(f"/portal/settlements/{rba['id']}/items?product=single ticket, adult")
    assert f'id="figure-total">€{rba["total"]}<' in product.get_data(as_text=True)


def test_a_malformed_day_is_the_422_page_not_a_500(client, settled):
    log_in(client, operator_email("RBA"))
    assert client.get(f"/portal/settlements/{settled['RBA']['id']}/items?day=yesterday").status_code == 422
    assert client.get("/portal/settlements/999999").status_code == 404


def test_downloads_are_the_stored_csv_and_a_pdf_of_the_same_total(client, settled):
    rba = settled["RBA"]
    log_in(client, operator_email("RBA"))
    response = client.get(f"/portal/settlements/{rba['id']}/statement.csv")
    assert response.headers["Content-Disposition"] == f'attachment; filename="statement_RBA_{PERIOD_NOW}.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[-1][2:] == ["TOTAL", "", "", "", rba["total"], "EUR"]
    pdf = client.get(f"/portal/settlements/{rba['id']}/statement.pdf")
    assert pdf.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert f"Total payable {rba['total']} EUR" in " ".join(text.split())


def test_the_portal_speaks_german(client, settled):
    log_in(client, operator_email("RBA"))
    page = client.get(f"/portal/settlements/{settled['RBA']['id']}?lang=de").get_data(as_text=True)
    assert "Auszahlungsbetrag" in page and "Täglicher Nettoerlös" in page
    assert f'{settled["RBA"]["total"].replace(".", ",")}\xa0€' in page


def test_the_operator_page_shows_what_is_not_settled_yet(client):
    buy_journeys(client)
    log_in(client, operator_email("RBA"))
    page = client.get("/portal/operators/RBA").get_data(as_text=True)
    assert f'<tr><th scope="row">{PERIOD_NOW}</th><td class="amount">2</td>' in page
    total = settle(client)["RBA"]["total"]
    page = client.get("/portal/operators/RBA").get_data(as_text=True)
    assert "Nothing: every cleared share is settled." in page and f"€{total}" in page


def test_unknown_operators_and_settlements_are_404_for_every_portal_role(client):
    for email in (operator_email("RBA"), ADMIN_EMAIL):
        log_in(client, email)
        assert client.get("/portal/operators/NOPE").status_code == 404
        assert client.get("/portal/settlements/424242/items").status_code == 404
        client.post("/logout", data={"csrf_token": page_csrf_token(client)})
