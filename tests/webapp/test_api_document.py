"""The OpenAPI document: valid OpenAPI 3, the contract's paths, an offline docs page, real answers as documented."""
from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
import schemathesis
from openapi_spec_validator import validate

from tests.conftest import ADMIN, unguessable_key
from tests.payg.rides import ride as payg_ride
from tests.webapp.test_tariffs_api import cheaper_tariff
from webapp.demo.timetable import next_working_day

PASSENGER = {"Authorization": "Bearer demo-passenger"}
RBA = {"Authorization": "Bearer demo-operator-rba"}

# ../shared/API.md: method and path of every endpoint of the public contract
CONTRACT = [
    "GET /api/v1/health", "GET /api/v1/stops", "GET /api/v1/operators", "GET /api/v1/journeys",
    "POST /api/v1/fares/price", "POST /api/v1/tariffs", "POST /api/v1/tariffs/{version_id}/activate",
    "POST /api/v1/orders", "POST /api/v1/orders/{order_id}/payment", "GET /api/v1/tickets/{ticket_id}",
    "GET /api/v1/tickets/{ticket_id}/pdf", "POST /api/v1/tickets/verify", "POST /api/v1/tickets/{ticket_id}/refund",
    "POST /api/v1/wallets/{wallet_id}/topups", "GET /api/v1/wallets/{wallet_id}", "POST /api/v1/settlements",
    "GET /api/v1/operators/{operator_id}/settlements", "GET /api/v1/settlements/{settlement_id}.csv",
    "GET /api/v1/settlements/{settlement_id}.pdf", "GET /api/v1/clearing/reconciliation",
]


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def test_the_document_is_valid_openapi_3_and_lists_the_contract(document):
    validate(document)  # raises on an invalid document
    assert document["openapi"].startswith("3.")
    listed = {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
              if method != "parameters"}
    assert set(CONTRACT) <= listed, set(CONTRACT) - listed
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        **document["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer"}


def test_the_document_says_how_to_call_each_operation(document):
    paths = document["paths"]
    order = paths["/api/v1/orders"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in order["parameters"] if p["in"] == "header"]
    assert order["security"] == [{}, {"bearerAuth": []}]  # guests may order
    assert paths["/api/v1/settlements"]["post"]["security"] == [{"bearerAuth": []}]
    assert "multipart/form-data" in paths["/api/v1/tariffs"]["post"]["requestBody"]["content"]
    binaries = {"/api/v1/tickets/{ticket_id}/pdf": "application/pdf",
                "/api/v1/settlements/{settlement_id}.csv": "text/csv",
                "/api/v1/settlements/{settlement_id}/payout.xml": "application/xml"}
    for path, content_type in binaries.items():
        assert paths[path]["get"]["responses"]["200"]["content"][content_type]["schema"]["format"] == "binary"
    error = document["components"]["schemas"]["ErrorResponse"]
    assert error["required"] == ["error"] and error["properties"]["error"]["$ref"].endswith("/Error")
    assert paths["/api/v1/orders"]["post"]["responses"]["422"]["$ref"] == "#/components/responses/UNPROCESSABLE_ENTITY"


def test_the_docs_page_needs_nothing_from_the_internet(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"/api/v1/openapi.json" in page.data
    html = page.data.decode()
    assert "http://" not in html and "https://" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert f"/api/v1/docs/assets/{asset}" in html
        assert client.get(f"/api/v1/docs/assets/{asset}").status_code == 200


def test_only_the_docs_page_may_run_inline_scripts(client):
    docs_policy = client.get("/api/v1/docs").headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in docs_policy
    assert "connect-src 'self'" in docs_policy
    assert "unsafe-inline" not in client.get("/").headers["Content-Security-Policy"]


class Checked:
    """A test client whose every answer is validated against the document (status, content type, body)."""

    def __init__(self, client, document: dict) -> None:
        self.client = client
        self.document = document
        self.schema = schemathesis.openapi.from_dict(document)
        self.seen: set[str] = set()

    def call(self, label: str, url: str, expect: int, **kwargs):  # type: ignore[no-untyped-def]
        method = label.split(" ", 1)[0]
        response = self.client.open(url, method=method, **kwargs)
        assert response.status_code == expect, (label, response.status_code, response.data[:500])
        operation = self.schema.find_operation_by_label(label)
        assert operation is not None, label
        operation.validate_response(response)
        declared = operation.definition.raw["responses"]
        answer = declared.get(str(expect), declared.get("default"))
        if "$ref" in answer:  # "#/components/responses/NAME"
            answer = self.document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
        content_types = answer["content"]
        assert response.mimetype in content_types, (label, response.mimetype)
        self.seen.add(label)
        return response


def tomorrow_at(hhmm: str) -> str:
    return f"{next_working_day(date.today())}T{hhmm}"


def test_real_answers_of_every_operation_match_the_document(client, document):
    api = Checked(client, document)
    api.call("GET /api/v1/health", "/api/v1/health", 200)
    api.call("GET /api/v1/stops", "/api/v1/stops?q=Altheim", 200)
    api.call("GET /api/v1/operators", "/api/v1/operators", 200)
    api.call("GET /api/v1/tickets/public-key", "/api/v1/tickets/public-key", 200)
    products = api.call("GET /api/v1/passes/products", "/api/v1/passes/products", 200).json
    assert products["products"]

    plan = api.call("GET /api/v1/journeys",
                    f"/api/v1/journeys?from=ALT_EICH_WALDWEG&to=BGS_SONN_BUCHENWEG&at={tomorrow_at('08:00')}", 200)
    legs = plan.json["options"][0]["legs"]
    api.call("POST /api/v1/fares/price", "/api/v1/fares/price", 200, json={"legs": legs})
    order = api.call("POST /api/v1/orders", "/api/v1/orders", 201, json={"legs": legs, "rider_category": "adult"},
                     headers={"Idempotency-Key": unguessable_key("doc-order")}).json
    guest = {"Authorization": f"Bearer {order['access_token']}"}
    api.call("GET /api/v1/orders/{order_id}", f"/api/v1/orders/{order['id']}", 200, headers=guest)
    paid = api.call("POST /api/v1/orders/{order_id}/payment", f"/api/v1/orders/{order['id']}/payment", 200,
                    json={"method": "card", "card_token": "tok_ok"},
                    headers={**guest, "Idempotency-Key": "doc-pay"}).json
    ticket = paid["ticket"]
    api.call("GET /api/v1/tickets/{ticket_id}", f"/api/v1/tickets/{ticket['id']}", 200, headers=guest)
    api.call("GET /api/v1/tickets/{ticket_id}/pdf", f"/api/v1/tickets/{ticket['id']}/pdf", 200, headers=guest)
    api.call("GET /api/v1/tickets/{ticket_id}/qr.svg", f"/api/v1/tickets/{ticket['id']}/qr.svg", 200, headers=guest)
    api.call("GET /api/v1/payments/{payment_id}/receipt.pdf", f"/api/v1/payments/{paid['payment']['id']}/receipt.pdf",
             200, headers=guest)
    api.call("POST /api/v1/tickets/verify", "/api/v1/tickets/verify", 200, json={"token": ticket["token"]})
    api.call("POST /api/v1/tickets/{ticket_id}/refund", f"/api/v1/tickets/{ticket['id']}/refund", 201,
             json={"amount": "1.00"}, headers={**guest, "Idempotency-Key": "doc-refund"})
    declined = api.call("POST /api/v1/orders", "/api/v1/orders", 201, json={"legs": legs},
                        headers={"Idempotency-Key": unguessable_key("doc-order-2")}).json
    api.call("POST /api/v1/orders/{order_id}/payment", f"/api/v1/orders/{declined['id']}/payment", 402,
             json={"method": "card", "card_token": "tok_declined"},
             headers={"Authorization": f"Bearer {declined['access_token']}"})

    wallet = api.call("POST /api/v1/wallets", "/api/v1/wallets", 200, headers=PASSENGER).json  # the demo's wallet
    api.call("POST /api/v1/wallets/{wallet_id}/topups", f"/api/v1/wallets/{wallet['id']}/topups", 201,
             json={"amount": "5.00", "card_token": "tok_ok"}, headers={**PASSENGER, "Idempotency-Key": "doc-top"})
    api.call("GET /api/v1/wallets/{wallet_id}", f"/api/v1/wallets/{wallet['id']}", 200, headers=PASSENGER)

    card = {"method": "card", "card_token": "tok_ok"}
    bought = api.call("POST /api/v1/passes", "/api/v1/passes", 201, json={"pass_product_id": "day-all",
                                                                          "payment": card},
                      headers={"Idempotency-Key": unguessable_key("doc-pass")}).json
    holder = {"Authorization": f"Bearer {bought['access_token']}"}
    api.call("GET /api/v1/passes/{pass_id}", f"/api/v1/passes/{bought['id']}", 200, headers=holder)
    ride = [{"route_id": "RE1", "from_stop_id": "ALT_HBF", "to_stop_id": "BGS_BF"}]
    api.call("POST /api/v1/passes/{pass_id}/trips", f"/api/v1/passes/{bought['id']}/trips", 201,
             json={"legs": ride}, headers=holder)
    subscription = api.call("POST /api/v1/subscriptions", "/api/v1/subscriptions", 201,
                            json={"pass_product_id": "subscription-month-all", "payment": card},
                            headers={**PASSENGER, "Idempotency-Key": "doc-sub"}).json
    api.call("GET /api/v1/subscriptions/{subscription_id}", f"/api/v1/subscriptions/{subscription['id']}", 200,
             headers=PASSENGER)
    api.call("POST /api/v1/subscriptions/{subscription_id}/cancel",
             f"/api/v1/subscriptions/{subscription['id']}/cancel", 200, headers=PASSENGER)

    period = date.today().strftime("%Y-%m")
    api.call("GET /api/v1/clearing/reconciliation", f"/api/v1/clearing/reconciliation?period={period}", 200,
             headers=ADMIN)
    settled = api.call("POST /api/v1/settlements", "/api/v1/settlements", 201, json={"period": period},
                       headers=ADMIN).json
    rba = next(s for s in settled["settlements"] if s["operator_id"] == "RBA")
    api.call("GET /api/v1/operators/{operator_id}/settlements", "/api/v1/operators/RBA/settlements", 200, headers=RBA)
    api.call("GET /api/v1/settlements/{settlement_id}.csv", rba["csv_url"], 200, headers=RBA)
    api.call("GET /api/v1/settlements/{settlement_id}.pdf", rba["pdf_url"], 200, headers=RBA)
    api.call("GET /api/v1/settlements/{settlement_id}/payout.xml", rba["payout_url"], 200, headers=RBA)
    api.call("GET /api/v1/operators/{operator_id}/ledger", "/api/v1/operators/RBA/ledger", 200, headers=RBA)

    api.call("GET /api/v1/tariffs", "/api/v1/tariffs", 200, headers=ADMIN)
    api.call("GET /api/v1/tariffs/{version_id}", "/api/v1/tariffs/1", 200, headers=ADMIN)
    upload = {"file": (io.BytesIO(json.dumps(cheaper_tariff()).encode()), "tariff.json"), "name": "VAU 2027"}
    created = api.call("POST /api/v1/tariffs", "/api/v1/tariffs", 201, data=upload, headers=ADMIN,
                       content_type="multipart/form-data").json
    assert created["name"] == "VAU 2027"
    api.call("POST /api/v1/tariffs/{version_id}/activate", f"/api/v1/tariffs/{created['id']}/activate", 200,
             headers=ADMIN)
    refused = {"file": (io.BytesIO(b"{}"), "tariff.json")}
    api.call("POST /api/v1/tariffs", "/api/v1/tariffs", 422, data=refused, headers=ADMIN,
             content_type="multipart/form-data")

    api.call("POST /api/v1/payg/accounts", "/api/v1/payg/accounts", 201, headers=ADMIN,
             json={"account_id": "card-doc", "payment_method": "card", "card_token": "tok_ok"})
    api.call("GET /api/v1/payg/accounts/{account_id}", "/api/v1/payg/accounts/card-doc", 200, headers=ADMIN)
    yesterday = date.today() - timedelta(days=1)
    taps = payg_ride("card-doc", "RE1", "WES_BF", "ALT_HBF", yesterday, "07:00", "07:30")
    api.call("POST /api/v1/taps", "/api/v1/taps", 200, json={"taps": taps + [{"kind": "in"}]}, headers=RBA)
    api.call("POST /api/v1/payg/charge-runs", "/api/v1/payg/charge-runs", 200, headers=ADMIN,
             json={"service_date": yesterday.isoformat()})
    api.call("GET /api/v1/payg/accounts/{account_id}/days/{day}",
             f"/api/v1/payg/accounts/card-doc/days/{yesterday.isoformat()}", 200, headers=ADMIN)

    every = {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
             if method != "parameters"}
    assert every - api.seen == set()


def test_a_key_a_response_schema_does_not_declare_is_refused_not_dropped():
    from webapp.schemas.network import OperatorSchema
    from webapp.schemas.response import UndeclaredResponseField

    assert OperatorSchema().dump({"id": "RBA", "name": "Regionalbahn", "mode": "rail"})["id"] == "RBA"
    with pytest.raises(UndeclaredResponseField, match="colour"):
        OperatorSchema().dump({"id": "RBA", "name": "Regionalbahn", "mode": "rail", "colour": "red"})
