"""The booking, checkout and ticket pages with the Flask test client, on SQLite and PostgreSQL.

The browser part (suggestions, the search, the request count) is in
tests/browser/test_booking_browser.py; here: what the server renders and who
may see, pay and refund what.
"""
from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pypdf import PdfReader

from tests.webapp.page_session import PASSENGER_EMAIL, log_in, page_csrf_token
from ticketing.models import Ticket
from webapp.demo.timetable import next_working_day

ORIGIN, DESTINATION = "ALT_EICH_WALDWEG", "BGS_SONN_BUCHENWEG"
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.S)
ALERT = re.compile(r'role="alert"[^>]*>([^<]+)<')
BOOKING_DATA = re.compile(r'<script type="application/json" id="booking-data">(.*?)</script>', re.S)
BOOKING_JS = Path(__file__).resolve().parents[2] / "webapp" / "static" / "booking.js"
# what booking.js puts into its template keys (`than_${against}`, `searching_${kind}`)
TEMPLATE_VALUES = {"against": ("fastest", "cheapest"), "kind": ("earlier", "later")}


def _option(client, rider: str = "adult") -> dict:
    at = f"{next_working_day(date.today())}T08:00"
    response = client.get(f"/api/v1/journeys?from={ORIGIN}&to={DESTINATION}&at={at}&rider={rider}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["options"][0]


def _order(client, headers: dict | None = None) -> dict:
    option = _option(client)
    response = client.post("/api/v1/orders", json={"legs": option["legs"], "rider_category": "adult"},
                           headers=headers or {})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _guest_order(client) -> tuple[dict, str]:
    """An order placed as the booking script does: the API, then the token proved to the page session."""
    order = _order(client)
    csrf = page_csrf_token(client, "/book")
    response = client.post(f"/book/orders/{order['id']}/access", json={"access_token": order["access_token"]},
                           headers={"X-CSRFToken": csrf})
    assert response.status_code == 200
    assert response.get_json()["checkout"] == f"/book/orders/{order['id']}"
    return order, csrf


def _pay(client, order_id: str, csrf: str, **form: str):
    return client.post(f"/book/orders/{order_id}/payment", data={"csrf_token": csrf, **form})


def _paid_ticket(client) -> tuple[str, str]:
    order, csrf = _guest_order(client)
    response = _pay(client, order["id"], csrf, method="card", card_token="tok_ok")
    assert response.status_code == 302
    match = re.fullmatch(r"/tickets/([0-9a-f-]+)\?paid=1", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1), csrf


def test_the_booking_page_offers_the_active_tariffs_rider_categories(client):
    html = client.get("/book").get_data(as_text=True)
    options = re.findall(r'<option value="([a-z]+)"( selected)?>([^<]+)</option>', html)
    assert options == [("adult", " selected", "Erwachsene"), ("child", "", "Kinder (6-14)"),
                       ("senior", "", "Senioren (65+)")]


def test_every_booking_field_has_a_label_and_the_stop_fields_are_comboboxes(client):
    html = client.get("/book").get_data(as_text=True)
    for field in ("from-stop", "to-stop", "travel-date", "travel-time", "rider", "email"):
        assert f'<label for="{field}"' in html and f'id="{field}"' in html
    assert html.count('role="combobox"') == 2 and html.count('role="listbox"') == 2
    assert 'role="status" aria-live="polite"' in html
    assert 'id="search-error" class="flash flash-error" role="alert"' in html


def test_pages_load_scripts_only_from_files_under_a_self_only_policy(client):
    for path in ("/book",):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        for attributes in SCRIPT_TAG.findall(response.get_data(as_text=True)):
            assert "src=" in attributes or 'type="application/json"' in attributes, attributes


def test_the_booking_page_speaks_german(client):
    html = client.get("/book?lang=de").get_data(as_text=True)
    assert "<h1>Fahrt buchen</h1>" in html
    assert "Verbindungen suchen" in html and '"choose": "Diese Verbindung w\\u00e4hlen"' in html


def _script_texts(client, path: str = "/book") -> dict[str, str]:
    match = BOOKING_DATA.search(client.get(path).get_data(as_text=True))
    assert match, "the booking page has no #booking-data"
    return json.loads(match.group(1))["text"]


def _keys_the_script_asks_for() -> set[str]:
    """The text keys in every ``say(...)`` call of booking.js, template keys expanded with TEMPLATE_VALUES."""
    source = BOOKING_JS.read_text()
    keys: set[str] = set()
    for start in (m.end() for m in re.finditer(r"\bsay\(", source)):
        depth, end = 1, start
        while depth:
            depth += {"(": 1, ")": -1}.get(source[end], 0)
            end += 1
        call = source[start:end - 1]
        keys.update(re.findall(r'"([a-z_]+)"', call))
        for prefix, name, suffix in re.findall(r"`([a-z_]*)\$\{(\w+)\}([a-z_]*)`", call):
            keys.update(f"{prefix}{value}{suffix}" for value in TEMPLATE_VALUES[name])
    return keys


def test_every_text_the_booking_script_asks_for_is_on_the_page_in_both_languages(client):
    keys = _keys_the_script_asks_for()
    assert {"than_fastest", "than_cheapest_same_price", "searching_later", "towards", "slower", "cheaper"} <= keys
    for path in ("/book", "/book?lang=de"):
        texts = _script_texts(client, path)
        assert {key for key in keys if not key.endswith("_")} - texts.keys() == set(), path
        for prefix in (key for key in keys if key.endswith("_")):  # "mode_" + leg.mode: some text has the prefix
            assert any(name.startswith(prefix) for name in texts), prefix


def test_the_trade_off_texts_are_translated_and_keep_their_placeholders(client):
    english, german = _script_texts(client), _script_texts(client, "/book?lang=de")
    assert english["than_fastest"] == "{comparison} than the fastest"
    assert german["than_fastest"] == "{comparison} als die schnellste Verbindung"
    assert german["slower"] == "{minutes} Min. langsamer" and german["cheaper"] == "{amount} günstiger"
    assert german["towards"] == "Richtung {headsign}"
    trade_off_keys = ("slower", "faster", "arrives_later", "arrives_earlier", "cheaper", "dearer", "transfer_fewer_one",
                      "transfers_fewer", "transfer_more_one", "transfers_more", "than_fastest", "than_cheapest",
                      "than_fastest_same_price", "than_cheapest_same_price", "same_as_fastest", "same_as_cheapest",
                      "towards", "window", "searching_earlier", "searching_later", "no_earlier")
    for key in trade_off_keys:
        assert german[key] != english[key], key
        assert re.findall(r"\{\w+\}", german[key]) == re.findall(r"\{\w+\}", english[key]), key


def test_the_results_have_earlier_and_later_buttons_that_control_the_options(client):
    html = client.get("/book").get_data(as_text=True)
    results = html[html.index('<section id="results"'):html.index("</section>")]
    assert " hidden>" in results.split("\n")[0]  # shown by the script once there are options
    for button, label in (("earlier", "Earlier journeys"), ("later", "Later journeys")):
        assert re.search(rf'<button type="button" id="{button}" class="button secondary" '
                         rf'aria-controls="options">{label}</button>', results), button
    assert results.index('id="earlier"') < results.index('id="options"') < results.index('id="later"')
    assert 'id="results-heading" tabindex="-1" aria-describedby="results-window"' in results
    german = client.get("/book?lang=de").get_data(as_text=True)
    assert ">Frühere Verbindungen</button>" in german and ">Spätere Verbindungen</button>" in german


def test_a_logged_in_passenger_is_not_asked_for_an_email(client):
    assert 'id="email"' in client.get("/book").get_data(as_text=True)
    log_in(client, PASSENGER_EMAIL)
    assert 'id="email"' not in client.get("/book").get_data(as_text=True)


def test_checkout_shows_the_locked_price_per_operator_to_the_guest_who_proved_the_token(client):
    order, _ = _guest_order(client)
    response = client.get(f"/book/orders/{order['id']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name, share in (("Busverkehr Bergstadt", "€1.65"), ("Regionalbahn Auental", "€3.35"),
                        ("Stadtwerke Altheim Bus", "€2.10")):
        assert re.search(re.escape(name) + r".*?" + re.escape(share), html, re.S), name
    assert "Pay €7.10" in html and "Erwachsene (adult)" in html
    assert 'id="method-wallet"' not in html  # a guest has no wallet


def test_a_wrong_token_or_none_opens_nothing(client):
    order = _order(client)
    csrf = page_csrf_token(client, "/book")
    assert client.get(f"/book/orders/{order['id']}").status_code == 403
    wrong = client.post(f"/book/orders/{order['id']}/access", json={"access_token": "guessed"},
                        headers={"X-CSRFToken": csrf})
    assert wrong.status_code == 403
    assert client.post("/book/orders/no-such-order/access", json={"access_token": order["access_token"]},
                       headers={"X-CSRFToken": csrf}).status_code == 403
    assert client.get(f"/book/orders/{order['id']}").status_code == 403


def test_proving_a_token_needs_the_pages_csrf_token(client):
    order = _order(client)
    response = client.post(f"/book/orders/{order['id']}/access", json={"access_token": order["access_token"]})
    assert response.status_code == 400
    assert client.get(f"/book/orders/{order['id']}").status_code == 403


def test_a_declined_card_says_so_clearly_and_the_order_stays_payable(client):
    order, csrf = _guest_order(client)
    declined = _pay(client, order["id"], csrf, method="card", card_token="tok_declined")
    assert declined.status_code == 402
    html = declined.get_data(as_text=True)
    assert ALERT.findall(html) == ["Your card was declined. No money was taken. Please use another card."]
    assert 'aria-invalid="true"' in html
    assert _pay(client, order["id"], csrf, method="card", card_token="tok_ok").status_code == 302


def test_a_declined_card_is_explained_in_german(client):
    order, csrf = _guest_order(client)
    client.get("/book?lang=de")
    html = _pay(client, order["id"], csrf, method="card", card_token="tok_declined").get_data(as_text=True)
    assert "Ihre Karte wurde abgelehnt. Es wurde nichts abgebucht." in html


def test_a_missing_card_or_a_guests_wallet_is_refused_without_a_payment(client):
    order, csrf = _guest_order(client)
    assert _pay(client, order["id"], csrf, method="card", card_token="").status_code == 422
    assert _pay(client, order["id"], csrf, method="wallet").status_code == 422
    assert client.get(f"/book/orders/{order['id']}").status_code == 200  # still to pay


def test_the_payment_form_needs_the_csrf_token(client):
    order, _ = _guest_order(client)
    response = client.post(f"/book/orders/{order['id']}/payment", data={"method": "card", "card_token": "tok_ok"})
    assert response.status_code == 400


def test_a_paid_order_leads_to_its_ticket_with_the_qr_code(client):
    ticket_id, _ = _paid_ticket(client)
    response = client.get(f"/tickets/{ticket_id}?paid=1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Paid. Have a good journey!" in html
    assert re.search(r'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \d+ \d+" class="qr-code"><path', html)
    assert '<span class="badge badge-valid" id="ticket-status">valid</span>' in html
    assert "Request a refund of €7.10" in html
    # a second visit of the checkout (back button) goes to the ticket
    order_id = client.get(f"/api/v1/tickets/{ticket_id}", headers={"Authorization": "Bearer demo-admin"}
                          ).get_json()["order_id"]
    assert client.get(f"/book/orders/{order_id}").headers["Location"] == f"/tickets/{ticket_id}"


def test_the_ticket_pdf_downloads_and_names_the_ticket(client):
    ticket_id, _ = _paid_ticket(client)
    response = client.get(f"/tickets/{ticket_id}/ticket.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="farebridge-ticket-{ticket_id}.pdf"'
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert ticket_id in text.replace("\n", "") and "7.10" in text


def test_another_browser_cannot_see_pay_or_refund_a_guests_ticket(app, client):
    ticket_id, _ = _paid_ticket(client)
    stranger = app.test_client()
    csrf = page_csrf_token(stranger, "/book")
    assert stranger.get(f"/tickets/{ticket_id}").status_code == 403
    assert stranger.get(f"/tickets/{ticket_id}/ticket.pdf").status_code == 403
    assert stranger.post(f"/tickets/{ticket_id}/refund", data={"csrf_token": csrf}).status_code == 403
    assert client.get(f"/tickets/{ticket_id}").status_code == 200


def test_a_refund_request_gives_the_money_back_and_shows_the_result(client):
    ticket_id, csrf = _paid_ticket(client)
    response = client.post(f"/tickets/{ticket_id}/refund", data={"csrf_token": csrf, "reason": "plans changed"})
    assert response.status_code == 302 and response.headers["Location"] == f"/tickets/{ticket_id}"
    html = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "Refund done: €7.10 goes back to your card." in html
    assert '<span class="badge badge-refunded" id="ticket-status">refunded</span>' in html
    assert 'id="refund-form"' not in html
    again = client.post(f"/tickets/{ticket_id}/refund", data={"csrf_token": csrf})
    assert again.status_code == 302
    assert "This ticket has already been refunded." in client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    api = client.get(f"/api/v1/tickets/{ticket_id}", headers={"Authorization": "Bearer demo-admin"}).get_json()
    assert api["status"] == "refunded"


def test_the_logged_in_passenger_sees_the_wallet_balance_and_pays_with_it(client):
    log_in(client, PASSENGER_EMAIL)
    csrf = page_csrf_token(client, "/book")
    order = _order(client, headers={"X-CSRFToken": csrf})  # the page session: the order is the passenger's
    html = client.get(f"/book/orders/{order['id']}").get_data(as_text=True)
    assert 'id="method-wallet"' in html and "Balance: €50.00" in html
    response = _pay(client, order["id"], csrf, method="wallet")
    assert response.status_code == 302
    ticket_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Request a refund of €7.10" in ticket_page
    assert "You booked as a guest" not in ticket_page
    wallet = client.post("/api/v1/wallets", json={}, headers={"X-CSRFToken": csrf}).get_json()
    assert wallet["balance"] == "42.90"


def test_a_passenger_cannot_open_a_guests_order(client, app):
    order, _ = _guest_order(client)
    passenger = app.test_client()
    log_in(passenger, PASSENGER_EMAIL)
    assert passenger.get(f"/book/orders/{order['id']}").status_code == 403


def test_unknown_orders_and_tickets_are_not_found_pages(client):
    assert client.get("/book/orders/nothing").status_code == 404
    response = client.get("/tickets/nothing")
    assert response.status_code == 404 and "<h1>" in response.get_data(as_text=True)


def test_a_refund_after_the_refund_time_is_refused_with_a_reason(client, demo):
    ticket_id, csrf = _paid_ticket(client)
    with demo.uow() as uow:  # the trip is over
        ticket = uow.session.get(Ticket, ticket_id)
        ticket.valid_until = ticket.valid_from = datetime.now(UTC) - timedelta(hours=1)
        uow.commit()
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'id="refund-form"' not in page and "This ticket cannot be refunded." in page
    assert client.post(f"/tickets/{ticket_id}/refund", data={"csrf_token": csrf}).status_code == 302  # an old form
    html = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "This ticket can no longer be refunded: the time for refunds is over." in html
    assert '<span class="badge badge-valid" id="ticket-status">valid</span>' in html


def test_without_an_active_tariff_the_booking_page_says_so_instead_of_failing(runtime):
    from webapp import create_app

    response = create_app(runtime=runtime).test_client().get("/book")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No tariff is active yet, so nothing can be priced." in html and 'id="rider"' not in html
