"""POST /v1/tag."""

from service.auth.keys import Role
from tests.service.api.routes.test_notes import assert_problem
from tests.service.conftest import Api

TEXTS = [
    "She finally spoke up in the design review and felt confident.",
    "We moved next week's session to Thursday at 3pm.",
]


def test_tag_returns_themes_per_text_and_stores_nothing(api: Api) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    response = api.client.post("/v1/tag", json={"texts": TEXTS}, headers=api.headers(key))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_version"] == "20260101-000000-test"
    assert len(body["results"]) == 2
    expected = api.state.tagging.model.tagger.tag(TEXTS)
    for result, matches in zip(body["results"], expected, strict=True):
        assert [t["theme"] for t in result["themes"]] == [m.theme for m in matches]
        for theme in result["themes"]:
            for evidence in theme["evidence"]:
                assert evidence["text"] in TEXTS[body["results"].index(result)]
    assert api.client.get("/v1/notes", headers=api.headers(key)).json()["notes"] == []


def test_tag_accepts_every_role(api: Api) -> None:
    tenant = api.tenant()
    for role in Role:
        key = api.key(tenant, role)
        response = api.client.post("/v1/tag", json={"texts": TEXTS}, headers=api.headers(key))
        assert response.status_code == 200


def test_tag_limits_and_bad_texts_return_422_naming_the_field(api: Api) -> None:
    headers = api.headers(api.key(api.tenant(), Role.INGEST))
    cases = [
        ({"texts": []}, "body.texts"),
        ({"texts": ["fine"] * 101}, "body.texts"),
        ({"texts": ["fine", ""]}, "body.texts.1"),
        ({"texts": ["fine", "x" * 5_001]}, "body.texts.1"),
        ({"texts": "just a string"}, "body.texts"),
        ({"texts": ["fine"], "store": True}, "body.store"),
        ({}, "body.texts"),
    ]
    for body, field in cases:
        assert_problem(api.client.post("/v1/tag", json=body, headers=headers), 422, field)


def test_tag_without_key_returns_401(api: Api) -> None:
    assert_problem(api.client.post("/v1/tag", json={"texts": TEXTS}), 401)
