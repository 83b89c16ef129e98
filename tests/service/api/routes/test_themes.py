"""GET /v1/themes."""

from service.auth.keys import Role
from tests.service.api.routes.test_notes import assert_problem
from tests.service.conftest import Api


def test_themes_lists_the_active_models_codebook_with_thresholds(api: Api) -> None:
    key = api.key(api.tenant(), Role.READ)
    body = api.client.get("/v1/themes", headers=api.headers(key)).json()
    assert body["model_version"] == "20260101-000000-test"
    ids = [theme["id"] for theme in body["themes"]]
    assert sorted(ids) == ["career", "confidence", "learning", "networking", "resilience", "skills"]
    for theme in body["themes"]:
        assert theme["name"] and theme["definition"]
        assert 0 < theme["threshold"] < 1


def test_themes_needs_a_key(api: Api) -> None:
    assert_problem(api.client.get("/v1/themes"), 401)
