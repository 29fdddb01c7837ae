"""A tap batch whose items are not objects is malformed as a whole: 422, not 200 with refusals (issue 14)."""
from __future__ import annotations

OPERATOR = {"Authorization": "Bearer demo-operator-rba"}


def test_a_batch_with_a_non_object_item_is_422(client):
    for items in ([303], ["tap"], [[1, 2]], [None]):
        response = client.post("/api/v1/taps", json={"taps": items}, headers=OPERATOR)
        assert response.status_code == 422, (items, response.json)
        assert response.json["error"]["details"][0]["field"].startswith("taps")


def test_a_batch_of_objects_is_still_judged_tap_by_tap(client):
    response = client.post("/api/v1/taps", json={"taps": [{"nonsense": True}]}, headers=OPERATOR)
    assert response.status_code == 200
    assert response.json["rejected"][0]["index"] == 0
