"""GET /v1/model and POST /v1/models/{version}/activate."""

import json
from typing import Any

import pytest

from service.auth.keys import Role
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
    assert "/somewhere" not in text and str(api.state.settings.models_dir) not in text


def test_model_needs_a_key(api: Api) -> None:
    assert_problem(api.client.get("/v1/model"), 401)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"force": "true"}, "body.force"),  # a string is not read as a boolean
        ({"force": 1}, "body.force"),
        ({"tolerance": "0.5"}, "body.tolerance"),
        ({"max_theme_drop": 2}, "body.max_theme_drop"),
    ],
)
def test_activate_with_a_bad_field_returns_422_naming_it(
    api: Api, body: dict[str, Any], field: str
) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    response = api.client.post(
        "/v1/models/20260101-000000-test/activate", json=body, headers=api.headers(key)
    )
    assert_problem(response, 422, field)


@pytest.mark.parametrize("version", [".", "..", "nope", "%2E%2E"])
def test_activate_takes_only_a_registered_version_never_a_path(api: Api, version: str) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    response = api.client.post(
        f"/v1/models/{version}/activate", json={"force": True}, headers=api.headers(key)
    )
    assert_problem(response, 404)
    assert str(api.state.settings.models_dir) not in response.text
