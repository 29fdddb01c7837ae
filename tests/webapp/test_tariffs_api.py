"""Tariff upload, activation and pricing through the API."""
from __future__ import annotations

import io
import json
from pathlib import Path

from tests.conftest import ADMIN

DEMO_TARIFF = Path(__file__).resolve().parents[2] / "webapp" / "demo" / "data" / "tariff.json"
LEGS = [{"route_id": "RE1", "from_stop_id": "ALT_HBF", "to_stop_id": "BGS_BF"}]


def upload(client, package, filename="tariff.json", headers=ADMIN):
    data = {"file": (io.BytesIO(json.dumps(package, indent=2).encode()), filename)}
    return client.post("/api/v1/tariffs", data=data, headers=headers, content_type="multipart/form-data")


def cheaper_tariff():
    package = json.loads(DEMO_TARIFF.read_text())
    package["name"] = "VAU 2027"
    package["zone_fares"] = [{"zones": n, "amount": f"{n}.00"} for n in range(1, 7)]
    return package


def test_price_on_the_active_tariff_is_explained(client):
    response = client.post("/api/v1/fares/price", json={"legs": LEGS})
    assert response.status_code == 200
    body = response.json
    assert (body["total"], body["currency"]) == ("5.90", "EUR")  # zones 1, 3, 4, 5 of the demo: four zones
    assert body["legs"][0]["zones"] == ["1", "3", "4", "5"]
    assert body["operators"] == [{"operator_id": "RBA", "amount": "5.90", "amount_minor": 590,
                                  "standalone": "5.90", "standalone_minor": 590}]
    assert body["products"][0]["legs"] == [0]
    assert body["rules"]


def test_a_broken_upload_is_422_with_file_line_and_field_and_changes_nothing(client):
    package = cheaper_tariff()
    package["currency"] = "euro"
    del package["rider_categories"][0]["is_default"]
    response = upload(client, package, "broken.json")
    assert response.status_code == 422
    errors = response.json["errors"]
    assert {(e["file"], e["field"]) for e in errors} >= {("broken.json", "currency"),
                                                        ("broken.json", "rider_categories")}
    assert all(isinstance(e["line"], int) for e in errors)
    assert len(client.get("/api/v1/tariffs", headers=ADMIN).json["tariffs"]) == 1


def test_upload_activate_and_price_on_old_and_new_versions(client):
    created = upload(client, cheaper_tariff())
    assert created.status_code == 201
    new_id = created.json["id"]
    assert created.json["status"] == "validated"
    assert client.post("/api/v1/fares/price", json={"legs": LEGS}).json["total"] == "5.90"

    activated = client.post(f"/api/v1/tariffs/{new_id}/activate", headers=ADMIN)
    assert activated.status_code == 200 and activated.json["status"] == "active"
    assert client.post("/api/v1/fares/price", json={"legs": LEGS}).json["total"] == "4.00"
    old = client.post("/api/v1/fares/price", json={"legs": LEGS, "tariff_version_id": 1}).json
    assert old["total"] == "5.90" and old["tariff_version_id"] == 1

    states = {t["id"]: t["status"] for t in client.get("/api/v1/tariffs", headers=ADMIN).json["tariffs"]}
    assert states == {1: "retired", new_id: "active"}
    assert client.get("/api/v1/tariffs/1", headers=ADMIN).json["content"]["name"] == "VAU Verbundtarif 2026"
    assert client.post(f"/api/v1/tariffs/{new_id}/activate", headers=ADMIN).status_code == 409


def test_tariff_routes_need_an_admin(client):
    assert upload(client, cheaper_tariff(), headers={}).status_code == 401
    assert upload(client, cheaper_tariff(), headers={"Authorization": "Bearer demo-operator-rba"}).status_code == 403
    assert client.post("/api/v1/tariffs/1/activate").status_code == 401


def test_upload_without_a_file_or_of_another_type_is_refused(client):
    assert client.post("/api/v1/tariffs", headers=ADMIN).status_code == 422
    data = {"file": (io.BytesIO(b"x"), "feed.xlsx")}
    response = client.post("/api/v1/tariffs", data=data, headers=ADMIN, content_type="multipart/form-data")
    assert response.status_code == 422


def test_pricing_unknown_legs_is_a_clear_error(client):
    response = client.post("/api/v1/fares/price", json={"legs": [{"route_id": "NOPE", "from_stop_id": "A",
                                                                  "to_stop_id": "B"}]})
    assert response.status_code == 422
    assert response.json["error"]["details"] == {"leg": 0, "field": "route_id"}
    assert client.post("/api/v1/fares/price", json={"legs": LEGS, "tariff_version_id": 99}).status_code == 404


def test_a_gtfs_zip_uploads_as_a_version_and_prices_after_activation(client, shared_gtfs):
    feed = (shared_gtfs / "transcollines_fares_v2.zip").read_bytes()
    data = {"file": (io.BytesIO(feed), "transcollines.zip"), "name": "Transcollines"}
    created = client.post("/api/v1/tariffs", data=data, headers=ADMIN, content_type="multipart/form-data")
    assert created.status_code == 201, created.json
    assert (created.json["format"], created.json["currency"]) == ("gtfs", "CAD")
    shown = client.get(f"/api/v1/tariffs/{created.json['id']}", headers=ADMIN).json
    assert shown["content"]["fares_version"] == "v2" and "fare_leg_rules.txt" in shown["content"]["files"]
    assert client.post(f"/api/v1/tariffs/{created.json['id']}/activate", headers=ADMIN).status_code == 200
    legs = [{"route_id": "910", "from_stop_id": "F134-01", "to_stop_id": "L910-01",
             "departure": "2026-01-12T05:17:00-05:00", "arrival": "2026-01-12T06:59:00-05:00"}]
    priced = client.post("/api/v1/fares/price", json={"legs": legs}).json
    assert (priced["total"], priced["currency"], priced["products"][0]["id"]) == ("20.00", "CAD", "PS-2000")
    assert client.get("/api/v1/stops?q=gatineau").json["stops"]


def test_a_corrupt_zip_is_a_422_not_a_500(client):
    data = {"file": (io.BytesIO(b"PK not really a zip"), "feed.zip")}
    response = client.post("/api/v1/tariffs", data=data, headers=ADMIN, content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.json["errors"][0]["file"] == "feed.zip"
