"""Operator isolation: every operator route with the own token (200), another operator's (403),
none (401) and the admin's (200), on SQLite and PostgreSQL."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from clearing.payouts import NAMESPACE
from tests.conftest import ADMIN
from tests.webapp.test_thin_path_api import first_option, order, pay

RBA = {"Authorization": "Bearer demo-operator-rba"}
BVB = {"Authorization": "Bearer demo-operator-bvb"}


@pytest.fixture
def settled(client):
    """One 7.10 sale (SWA, RBA, BVB) paid and settled; the RBA settlement."""
    created = order(client, first_option(client)).json
    period = pay(client, created).json["payment"]["created_at"][:7]
    response = client.post("/api/v1/settlements", json={"period": period}, headers=ADMIN)
    assert response.status_code == 201
    return {s["operator_id"]: s for s in response.json["settlements"]}


def rba_routes(settlements) -> list[str]:
    rba = settlements["RBA"]["id"]
    return ["/api/v1/operators/RBA/settlements", f"/api/v1/settlements/{rba}.csv", f"/api/v1/settlements/{rba}.pdf",
            f"/api/v1/settlements/{rba}/payout.xml", "/api/v1/operators/RBA/ledger"]


def test_every_operator_route_answers_own_200_other_403_anonymous_401_admin_200(client, settled):
    for route in rba_routes(settled):
        assert client.get(route, headers=RBA).status_code == 200, route
        assert client.get(route, headers=BVB).status_code == 403, route
        assert client.get(route).status_code == 401, route
        assert client.get(route, headers=ADMIN).status_code == 200, route
        assert client.get(route, headers={"Authorization": "Bearer nobody"}).status_code == 401, route


def test_the_statement_pdf_is_the_operators_own(client, settled):
    rba = settled["RBA"]
    response = client.get(rba["pdf_url"], headers=RBA)
    assert response.mimetype == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "Regionalbahn Auental (RBA)" in text and "IBAN: DE37514901004711002000" in text
    assert f"Total payable {rba['total']} EUR" in text
    assert "single ticket, adult 1" in text


def test_the_payout_line_is_the_operators_own_transfer(client, settled):
    rba = settled["RBA"]
    root = ET.fromstring(client.get(rba["payout_url"], headers=RBA).data)
    ns = {"p": NAMESPACE}
    amounts = [(tx.findtext("p:CdtrAcct/p:Id/p:IBAN", None, ns), tx.findtext("p:Amt/p:InstdAmt", None, ns))
               for tx in root.iterfind(".//p:CdtTrfTxInf", ns)]
    assert amounts == [("DE37514901004711002000", rba["total"])]
    tal = client.get(settled["TAL"]["payout_url"], headers=ADMIN)  # TAL carried nothing: no transfer
    assert tal.status_code == 422 and tal.json["error"]["code"] == "nothing_to_pay"


def test_the_ledger_shows_the_operators_payable_balance_and_pages_its_entries(client, settled):
    body = client.get("/api/v1/operators/RBA/ledger", headers=RBA).json
    assert [a["code"] for a in body["accounts"]] == ["operator_payable:RBA:EUR"]
    assert body["accounts"][0]["balance_minor"] == settled["RBA"]["total_minor"]
    assert body["total_entries"] == 1
    assert [e["amount_minor"] for e in body["entries"]] == [settled["RBA"]["total_minor"]]
    assert body["entries"][0]["reference"].startswith("sale:")
    empty = client.get("/api/v1/operators/RBA/ledger?page=2&per_page=1", headers=RBA).json
    assert (empty["entries"], empty["page"], empty["per_page"]) == ([], 2, 1)
    bad = client.get("/api/v1/operators/RBA/ledger?per_page=lots", headers=RBA)
    assert bad.status_code == 422
    assert bad.json["error"]["details"] == [{"field": "per_page", "message": "Not a valid integer."}]
    assert client.get("/api/v1/operators/RBA/ledger?page=0", headers=RBA).status_code == 422
    assert client.get("/api/v1/operators/NOPE/ledger", headers=ADMIN).status_code == 404


def test_settling_a_period_twice_is_409_and_unknown_settlements_404(client, settled):
    period = settled["RBA"]["period"]
    again = client.post("/api/v1/settlements", json={"period": period}, headers=ADMIN)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_settled"
    assert client.get("/api/v1/settlements/999999.pdf", headers=ADMIN).status_code == 404
    assert client.get("/api/v1/settlements/999999/payout.xml", headers=ADMIN).status_code == 404
