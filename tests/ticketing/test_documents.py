"""Ticket and receipt documents of a real demo purchase, read back from the PDFs (SQLite and PostgreSQL)."""
from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from core.errors import InvalidStateTransition, NotFound, PaymentDeclined
from core.money import Money
from fares.price import ItineraryLeg
from tests.ticketing.qr_reader import decode, matrix_from_pdf
from ticketing.documents.receipt import Seller, receipt_document
from ticketing.documents.receipt_pdf import render_receipt_pdf
from ticketing.documents.ticket import ticket_document
from ticketing.documents.ticket_pdf import render_ticket_pdf
from ticketing.models import Payment
from ticketing.payment_providers import SandboxCardProvider
from ticketing.services import CreateOrder, PayOrder, create_order, pay_order
from ticketing.token import TicketSigner, verify_token

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
BERLIN = "Europe/Berlin"  # UTC+1 in March
SIGNER = TicketSigner(Ed25519PrivateKey.generate())
# Regional train to Auenbach, then the ferry across: two operators at 7 % and 19 % VAT.
RAIL_AND_FERRY = (
    ItineraryLeg("RE1", "ALT_HBF", "AUB_BF", NOW + timedelta(minutes=60), NOW + timedelta(minutes=72)),
    ItineraryLeg("FAE1", "AUB_ANLEGER", "UFH_ANLEGER", NOW + timedelta(minutes=90), NOW + timedelta(minutes=95)),
)


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def buy(demo, legs=RAIL_AND_FERRY, card="tok_ok"):
    order, _token = create_order(demo.uow(), CreateOrder(legs, "adult", None), NOW, timedelta(minutes=15))
    return pay_order(demo.uow(), PayOrder(order.id, "card", card), NOW + timedelta(minutes=1),
                     SandboxCardProvider(), SIGNER)


def pdf_text(pdf: bytes) -> str:
    """All pages' text with whitespace collapsed, so that table rows read as one line."""
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def purchase(demo):
    ticket = buy(demo)
    with demo.session_factory() as session:
        return (ticket, ticket_document(session, ticket.id, BERLIN),
                receipt_document(session, ticket.payment_id, BERLIN))


def test_the_ticket_pdf_shows_stops_lines_operators_times_validity_and_price(purchase):
    ticket, document, _ = purchase
    text = pdf_text(render_ticket_pdf(document))
    assert "Altheim Hbf → Uferheim Fähranleger on 2026-03-02" in text
    # times in Berlin: departure 07:00 UTC is 08:00; valid from 30 min before to 60 min after the trip
    assert "08:00 Altheim Hbf 08:12 Auenbach Bf RE 1 Regionalbahn Auental (RBA)" in text
    assert "08:30 Auenbach Fähranleger 08:35 Uferheim Fähranleger F Auental-Fähre (FAE)" in text
    assert "Valid from 2026-03-02 07:30 Valid until 2026-03-02 09:35" in text
    assert "Rider Erwachsene (adult)" in text
    assert [(p.label, p.amount.minor) for p in document.products] == [(document.products[0].label, 480)]
    assert f"Fare product Amount {document.products[0].label} 4.80 EUR" in text
    assert "Auental-Fähre (FAE) 1.81 EUR Regionalbahn Auental (RBA) 2.99 EUR Total paid 4.80 EUR" in text
    assert ticket.id in text


def test_a_ticket_that_is_no_longer_valid_says_so_on_the_pdf(purchase):
    _, document, _ = purchase
    assert "not valid for travel" not in pdf_text(render_ticket_pdf(document))
    refunded = pdf_text(render_ticket_pdf(replace(document, status="refunded")))
    assert "This ticket is refunded: it is not valid for travel." in refunded


def test_the_ticket_pdf_qr_code_reads_back_as_the_signed_token(purchase):
    ticket, document, _ = purchase
    scanned = decode(matrix_from_pdf(render_ticket_pdf(document)))
    assert scanned == ticket.token
    assert verify_token(scanned, SIGNER.public_key)["tid"] == ticket.id


def test_the_receipt_splits_the_payment_per_operator_with_its_vat_rate(purchase):
    ticket, _, receipt = purchase
    assert [(line.operator_id, line.rate_bp, line.net.minor, line.vat.minor, line.gross.minor)
            for line in receipt.lines] == [("FAE", 1900, 152, 29, 181), ("RBA", 700, 279, 20, 299)]
    assert [(r.rate_bp, r.net.minor, r.vat.minor) for r in receipt.rates] == [(700, 279, 20), (1900, 152, 29)]
    assert (receipt.net, receipt.vat, receipt.total) == (Money(431, "EUR"), Money(49, "EUR"), Money(480, "EUR"))
    assert receipt.ticket_id == ticket.id
    assert re.fullmatch(r"FB-20260302-[0-9A-F]{12}", receipt.receipt_number)
    assert receipt.receipt_number.endswith(ticket.payment_id.replace("-", "")[:12].upper())


def test_the_receipt_pdf_shows_seller_number_method_lines_rates_and_totals(purchase):
    ticket, _, receipt = purchase
    text = pdf_text(render_receipt_pdf(receipt))
    assert "Farebridge demo association" in text
    assert f"Receipt no. {receipt.receipt_number} Date 2026-03-02 07:01 Payment method Card (reference sbx_" in text
    assert "Ticket Altheim Hbf – Uferheim Fähranleger, Erwachsene (adult)" in text
    assert "Auental-Fähre (FAE) 1.52 EUR 19 % 0.29 EUR 1.81 EUR" in text
    assert "Regionalbahn Auental (RBA) 2.79 EUR 7 % 0.20 EUR 2.99 EUR" in text
    assert "VAT 7 % 2.79 EUR 7 % 0.20 EUR 2.99 EUR VAT 19 % 1.52 EUR 19 % 0.29 EUR 1.81 EUR" in text
    totals = re.search(r"Subtotal \(net\) ([\d.]+) EUR VAT ([\d.]+) EUR Total ([\d.]+) EUR", text)
    assert totals is not None, text
    net, vat, total = (Decimal(v) for v in totals.groups())
    assert (net, vat, total) == (Decimal("4.31"), Decimal("0.49"), Decimal("4.80"))
    assert net + vat == total
    assert ticket.payment_id in text


def test_a_one_rate_purchase_over_three_operators_has_one_summary_row(demo):
    legs = (
        ItineraryLeg("SWA11", "ALT_EICH_WALDWEG", "ALT_WEST", at(60), at(66)),
        ItineraryLeg("RE1", "ALT_WEST", "BGS_BF", at(79), at(109)),
        ItineraryLeg("BVB21", "BGS_BF", "BGS_SONN_BUCHENWEG", at(125), at(139)),
    )
    ticket = buy(demo, legs)
    with demo.session_factory() as session:
        receipt = receipt_document(session, ticket.payment_id, BERLIN)
    assert [(line.operator_id, line.gross.minor, line.vat.minor) for line in receipt.lines] == [
        ("BVB", 160, 10), ("RBA", 391, 26), ("SWA", 159, 10)]  # 7.10 holds 0.4645 of VAT: 0.46 in all
    assert [(r.rate_bp, r.net.minor, r.vat.minor, r.gross.minor) for r in receipt.rates] == [(700, 664, 46, 710)]
    text = pdf_text(render_receipt_pdf(receipt))
    assert "Subtotal (net) 6.64 EUR VAT 0.46 EUR Total 7.10 EUR" in text
    assert "19 %" not in text


def test_the_seller_on_the_receipt_can_be_configured(demo):
    ticket = buy(demo)
    seller = Seller("Verkehrsverbund Auental GmbH", ("Bahnhofplatz 1", "55555 Altheim"), "DE123456789")
    with demo.session_factory() as session:
        text = pdf_text(render_receipt_pdf(receipt_document(session, ticket.payment_id, BERLIN, seller)))
    assert "Verkehrsverbund Auental GmbH Bahnhofplatz 1 55555 Altheim VAT ID DE123456789" in text
    assert "Farebridge demo association" not in text


def test_a_declined_payment_has_no_receipt_and_unknown_ids_are_not_found(demo):
    with pytest.raises(PaymentDeclined):
        buy(demo, card="tok_declined")
    with demo.session_factory() as session:
        declined = session.query(Payment).one()
        with pytest.raises(InvalidStateTransition) as refused:
            receipt_document(session, declined.id)
        assert refused.value.code == "no_receipt"
        with pytest.raises(NotFound):
            receipt_document(session, "no-such-payment")
        with pytest.raises(NotFound):
            ticket_document(session, "no-such-ticket")
