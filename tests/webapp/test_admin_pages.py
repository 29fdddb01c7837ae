"""The fare-admin console: each role boundary, upload with its report, comparison, revenue impact, activation.

Sales are bought through the API and cleared in-process, on SQLite and PostgreSQL.
"""
from __future__ import annotations

import io

from fares.models import TariffVersion
from tests.webapp.page_session import ADMIN_EMAIL, PASSENGER_EMAIL, log_in, operator_email, page_csrf_token
from tests.webapp.tariff_files import broken_tariff, dearer_tariff_without_children, small_gtfs_zip
from tests.webapp.test_portal_pages import PERIOD_NOW, buy_journeys


def upload(client, body: bytes, filename: str = "tarif.json", token: str | None = None):
    token = token if token is not None else page_csrf_token(client, "/admin/tariffs")
    return client.post("/admin/tariffs", data={"csrf_token": token, "file": (io.BytesIO(body), filename)},
                       content_type="multipart/form-data")


def candidate_id(client) -> int:
    response = upload(client, dearer_tariff_without_children())
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def versions(demo) -> list[tuple[int, str]]:
    with demo.session_factory() as session:
        return [(v.id, v.status) for v in session.query(TariffVersion).order_by(TariffVersion.id)]


ADMIN_PAGES = ["/admin/tariffs", "/admin/tariffs/1", "/admin/tariffs/1/impact"]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert client.post("/admin/tariffs/1/activate").status_code in (302, 400)  # login redirect or CSRF refusal


def test_passengers_and_operators_get_the_403_page(client, demo):
    for email in (PASSENGER_EMAIL, operator_email("RBA")):
        log_in(client, email)
        for path in ADMIN_PAGES:
            assert client.get(path).status_code == 403, (email, path)
        token = page_csrf_token(client)
        assert client.post("/admin/tariffs/1/activate", data={"csrf_token": token, "confirm": "y"}).status_code == 403
        assert upload(client, dearer_tariff_without_children(), token=token).status_code == 403
        client.post("/logout", data={"csrf_token": token})
    assert versions(demo) == [(1, "active")]


def test_an_admin_opens_every_page(client):
    log_in(client, ADMIN_EMAIL)
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path


def test_a_broken_tariff_is_refused_with_file_line_and_field_and_nothing_is_stored(client, demo):
    log_in(client, ADMIN_EMAIL)
    response = upload(client, broken_tariff(), "broken.json")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="validation-report"' in page
    assert "<td>broken.json</td><td>12</td><td>rider_categories[1].nam</td><td>Unknown field.</td>" in page
    assert "<td>broken.json</td><td>27</td><td>products[0].fare.fares[4].amount</td>" in page
    assert versions(demo) == [(1, "active")]


def test_an_upload_without_the_csrf_token_is_refused(client, demo):
    log_in(client, ADMIN_EMAIL)
    assert upload(client, dearer_tariff_without_children(), token="forged").status_code == 400
    assert versions(demo) == [(1, "active")]


def test_an_unsupported_file_is_reported_not_a_500(client):
    log_in(client, ADMIN_EMAIL)
    response = upload(client, b"PK\x03\x04 not really a zip", "feed.zip")
    assert response.status_code == 422
    assert 'id="validation-report"' in response.get_data(as_text=True)
    assert upload(client, b"hello", "tariff.txt").status_code == 422


def test_the_candidate_is_compared_with_the_active_version(client):
    log_in(client, ADMIN_EMAIL)
    page = client.get(f"/admin/tariffs/{candidate_id(client)}").get_data(as_text=True)
    assert "<td><code>fare.fares[zones=5].amount</code></td><td>7.10</td><td>7.60</td>" in page
    assert "<th scope=\"row\">rider_categories</th><td>child</td><td>removed</td>" in page
    assert 'id="sample-prices"' in page and "SWA" in page


def test_the_revenue_impact_reprices_the_periods_journeys_per_operator_and_lists_what_it_cannot_price(client):
    buy_journeys(client, count=2, rider="adult")
    buy_journeys(client, count=1, rider="child")
    log_in(client, ADMIN_EMAIL)
    version_id = candidate_id(client)
    page = client.get(f"/admin/tariffs/{version_id}/impact?period={PERIOD_NOW}").get_data(as_text=True)
    assert f"The 3 journeys sold in {PERIOD_NOW}" in page and "2 could be priced, 1 could not." in page
    assert 'id="impact-paid">€14.20<' in page and 'id="impact-candidate">€15.20<' in page
    assert 'id="impact-difference">€1.00<' in page
    for operator_id in ("SWA", "RBA", "BVB"):
        assert f'data-operator="{operator_id}"' in page
    assert "unknown rider category &#39;child&#39;" in page and "€3.55" in page


def test_activation_needs_the_confirmation_and_then_switches_versions(client, demo):
    log_in(client, ADMIN_EMAIL)
    version_id = candidate_id(client)
    token = page_csrf_token(client, f"/admin/tariffs/{version_id}")
    refused = client.post(f"/admin/tariffs/{version_id}/activate", data={"csrf_token": token})
    assert refused.status_code == 303
    assert versions(demo) == [(1, "active"), (version_id, "validated")]
    assert client.post(f"/admin/tariffs/{version_id}/activate", data={"confirm": "y"}).status_code == 400  # no CSRF
    done = client.post(f"/admin/tariffs/{version_id}/activate", data={"csrf_token": token, "confirm": "y"})
    assert done.status_code == 303
    assert versions(demo) == [(1, "retired"), (version_id, "active")]
    assert "is active" in client.get(done.headers["Location"]).get_data(as_text=True)
    again = client.post(f"/admin/tariffs/{version_id}/activate", data={"csrf_token": token, "confirm": "y"})
    assert again.status_code == 409  # already active: the 409 page


def test_an_unknown_version_and_a_malformed_period_are_4xx_pages(client):
    log_in(client, ADMIN_EMAIL)
    assert client.get("/admin/tariffs/999").status_code == 404
    assert client.get("/admin/tariffs/1/impact?period=last-month").status_code == 422


def test_a_gtfs_zip_is_compared_with_the_native_tariff_and_its_other_currency_prices_no_sold_journey(client):
    buy_journeys(client, count=1)
    log_in(client, ADMIN_EMAIL)
    response = upload(client, small_gtfs_zip(), "city-bus.zip")
    assert response.status_code == 303, response.get_data(as_text=True)
    version_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/admin/tariffs/{version_id}").get_data(as_text=True)
    assert "<th scope=\"row\">fare_products.txt</th><td>single / adult / cash</td><td>added</td>" in page
    assert "<th scope=\"row\">products</th><td>vau-zones</td><td>removed</td>" in page
    assert "<th scope=\"row\">ag1 2: s2 → s1</th>" in page and ">$2.20<" in page  # priced by the candidate
    assert "leg 0: unknown route &#39;r2&#39;" in page  # the active tariff has no such line
    impact = client.get(f"/admin/tariffs/{version_id}/impact?period={PERIOD_NOW}").get_data(as_text=True)
    assert "1 could not." in impact and "the candidate is in USD, the sale was in EUR" in impact
