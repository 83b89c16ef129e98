"""GET /v1/model."""

import json

from service.keys import Role
from tests.service.api.routes.test_notes import assert_problem
from tests.service.conftest import Api


def test_model_returns_the_card_without_file_paths(api: Api) -> None:
    key = api.key(api.tenant(), Role.INGEST)
    response = api.client.get("/v1/model", headers=api.headers(key))
    assert response.status_code == 200
    card = response.json()
    assert card["version"] == "20260101-000000-test"
    assert card["thresholds"] and card["labels"] and card["libraries"]
    assert card["data"]["files"] == [{"sha256": "0" * 64}]
    text = json.dumps(card)
    assert "/somewhere" not in text and str(api.services.settings.models_dir) not in text


def test_model_needs_a_key(api: Api) -> None:
    assert_problem(api.client.get("/v1/model"), 401)
