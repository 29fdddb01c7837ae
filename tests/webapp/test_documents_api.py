"""Ticket PDF, QR code and receipt over the API: for the order's owner and admins only."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.conftest import ADMIN
from tests.ticketing.qr_reader import decode, matrix_from_pdf, matrix_from_svg
from tests.webapp.test_thin_path_api import first_option, order, pay
from ticketing.models import Payment


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def pdf_text(body: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def bought(client):
    created = order(client, first_option(client)).json
    paid = pay(client, created)
    assert paid.status_code == 200, paid.json
    stranger = order(client, first_option(client), key="order-2").json
    return {"owner": bearer(created["access_token"]), "stranger": bearer(stranger["access_token"]),
            "ticket": paid.json["ticket"], "payment": paid.json["payment"]}


def test_the_owner_downloads_the_ticket_pdf_with_a_filename_and_a_readable_qr(client, bought):
    ticket = bought["ticket"]
    response = client.get(f"/api/v1/tickets/{ticket['id']}/pdf", headers=bought["owner"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'inline; filename="ticket-{ticket["id"]}.pdf"'
    assert response.headers["Cache-Control"] == "private, no-store"
    text = pdf_text(response.data)
    assert "Altheim-Eichenau Am Waldweg" in text and "Bergstadt-Sonnenberg Buchenweg" in text
    assert "Total paid 7.10 EUR" in text
    assert "Times in Europe/Berlin" in text
    assert decode(matrix_from_pdf(response.data)) == ticket["token"]


def test_the_qr_svg_holds_the_ticket_token(client, bought):
    ticket = bought["ticket"]
    response = client.get(f"/api/v1/tickets/{ticket['id']}/qr.svg", headers=bought["owner"])
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Disposition"] == f'inline; filename="ticket-{ticket["id"]}.svg"'
    assert decode(matrix_from_svg(response.get_data(as_text=True))) == ticket["token"]


def test_the_receipt_pdf_adds_up_net_and_vat_to_the_total(client, bought):
    response = client.get(f"/api/v1/payments/{bought['payment']['id']}/receipt.pdf", headers=bought["owner"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('inline; filename="receipt-FB-') and disposition.endswith('.pdf"')
    text = pdf_text(response.data)
    assert "Farebridge demo association" in text
    assert "Stadtwerke Altheim Bus (SWA) 1.97 EUR 7 % 0.13 EUR 2.10 EUR" in text
    assert "Subtotal (net) 6.64 EUR VAT 0.46 EUR Total 7.10 EUR" in text


def test_an_admin_gets_every_document(client, bought):
    ticket_id, payment_id = bought["ticket"]["id"], bought["payment"]["id"]
    for path in (f"/tickets/{ticket_id}/pdf", f"/tickets/{ticket_id}/qr.svg", f"/payments/{payment_id}/receipt.pdf"):
        assert client.get(f"/api/v1{path}", headers=ADMIN).status_code == 200, path


@pytest.mark.parametrize("who", ["stranger", "anonymous", "operator"])
def test_anyone_else_is_refused_with_403(client, bought, who):
    headers = {"stranger": bought["stranger"], "anonymous": {},
               "operator": bearer("demo-operator-rba")}[who]
    ticket_id, payment_id = bought["ticket"]["id"], bought["payment"]["id"]
    for path in (f"/tickets/{ticket_id}/pdf", f"/tickets/{ticket_id}/qr.svg", f"/payments/{payment_id}/receipt.pdf"):
        response = client.get(f"/api/v1{path}", headers=headers)
        assert response.status_code == 403, path
        assert response.json["error"]["code"] == "forbidden"
        assert bought["ticket"]["token"] not in response.get_data(as_text=True)


def test_unknown_tickets_and_payments_are_404_json(client):
    for path in ("/tickets/nope/pdf", "/tickets/nope/qr.svg", "/payments/nope/receipt.pdf"):
        response = client.get(f"/api/v1{path}", headers=ADMIN)
        assert response.status_code == 404, path
        assert response.json["error"]["code"] == "not_found"


def test_a_declined_payment_has_no_receipt(client, app):
    created = order(client, first_option(client)).json
    assert pay(client, created, token="tok_declined").status_code == 402
    with app.extensions["farebridge.runtime"].session_factory() as session:
        payment_id = session.query(Payment.id).filter_by(order_id=created["id"]).scalar()
    response = client.get(f"/api/v1/payments/{payment_id}/receipt.pdf", headers=bearer(created["access_token"]))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "no_receipt"
