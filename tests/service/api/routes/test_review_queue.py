"""People's corrections (PUT /v1/notes/{id}/themes) and the review queue."""

from typing import Any

from sqlalchemy import select

from service.auth.keys import Role
from service.storage.tables import Note
from tests.service.conftest import Api

NOTES = [
    "She led the planning meeting with confidence and spoke up twice.",
    "We moved the session to Thursday.",
    "He practised SQL window functions and read a chapter on statistics.",
    "She met three people at the meetup and followed up with two of them.",
    "He applied for the team lead role after our talk about his career.",
    "She bounced back after the rejection and kept going.",
]


def post(api: Api, key: str, text: str, **fields: Any) -> dict[str, Any]:
    response = api.post_note(key, text=text, **fields)
    assert response.status_code == 201, response.text
    return dict(response.json())


def put_themes(api: Api, key: str, note_id: str, body: dict[str, Any]) -> Any:
    return api.client.put(f"/v1/notes/{note_id}/themes", json=body, headers=api.headers(key))


def test_correction_replaces_the_counting_themes_and_keeps_the_models(api: Api) -> None:
    tenant = api.tenant()
    key = api.key(tenant)
    note = post(api, key, NOTES[0], session_date="2026-03-03")
    model_themes = [theme["theme"] for theme in note["themes"]]
    response = put_themes(api, key, note["id"], {"themes": ["career"], "reviewer": "ana"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [t["theme"] for t in body["themes"]] == ["career"]
    assert [t["theme"] for t in body["model_themes"]] == model_themes
    assert body["review"]["themes"] == ["career"] and body["review"]["reviewer"] == "ana"
    again = api.client.get(f"/v1/notes/{note['id']}", headers=api.headers(key)).json()
    assert again["review"] == body["review"] and again["model_themes"] == body["model_themes"]
    listed = api.client.get("/v1/notes?theme=career", headers=api.headers(key)).json()
    assert [n["id"] for n in listed["notes"]] == [note["id"]]
    trends = api.client.get(
        "/v1/trends?scope=mentee&id=m-1&from=2026-03-01&to=2026-03-31",
        headers=api.headers(key),
    ).json()
    counts = trends["periods"][0]["themes"]
    assert counts["career"]["count"] == 1
    assert all(counts[theme]["count"] == 0 for theme in model_themes if theme != "career")


def test_a_second_review_replaces_the_first_and_keeps_the_original_model_answer(
    api: Api,
) -> None:
    key = api.key(api.tenant())
    note = post(api, key, NOTES[2])
    put_themes(api, key, note["id"], {"themes": ["career", "networking"]})
    second = put_themes(api, key, note["id"], {"themes": []}).json()
    assert second["themes"] == [] and second["review"]["themes"] == []
    assert second["model_themes"] == note["themes"]


def test_reviewer_defaults_to_the_mentor_of_the_key(api: Api) -> None:
    tenant = api.tenant()
    ingest = api.key(tenant, Role.INGEST)
    note = post(api, ingest, NOTES[3], mentor_id="mentor-a")
    mentor_key = api.key(tenant, Role.READ, mentor="mentor-a")
    body = put_themes(api, mentor_key, note["id"], {"themes": ["networking"]}).json()
    assert body["review"]["reviewer"] == "mentor-a"


def test_correction_keeps_model_evidence_for_a_confirmed_theme_and_scores_an_added_one(
    api: Api,
) -> None:
    key = api.key(api.tenant())
    note = post(api, key, NOTES[0])
    kept = note["themes"][0]
    added = next(t for t in ("learning", "networking", "career") if t != kept["theme"])
    body = put_themes(api, key, note["id"], {"themes": [kept["theme"], added]}).json()
    by_theme = {theme["theme"]: theme for theme in body["themes"]}
    assert by_theme[kept["theme"]] == kept
    assert by_theme[added] == {"theme": added, "score": 1.0, "evidence": []}


def test_bad_corrections_name_the_field_and_change_nothing(api: Api) -> None:
    key = api.key(api.tenant())
    note = post(api, key, NOTES[4])
    cases = [
        ({"themes": ["career", "astrology"]}, "body.themes.1"),
        ({"themes": ["career", "career"]}, "body.themes.1"),
        ({"themes": "career"}, "body.themes"),
        ({}, "body.themes"),
        ({"themes": [], "extra": 1}, "body.extra"),
        ({"themes": [], "reviewer": ""}, "body.reviewer"),
    ]
    for body, field in cases:
        response = put_themes(api, key, note["id"], body)
        assert response.status_code == 422, body
        assert field in [error["field"] for error in response.json()["errors"]], response.json()
    stored = api.client.get(f"/v1/notes/{note['id']}", headers=api.headers(key)).json()
    assert stored["review"] is None and stored["themes"] == note["themes"]


def test_who_may_correct(api: Api) -> None:
    tenant = api.tenant()
    admin = api.key(tenant)
    note = post(api, admin, NOTES[1], mentor_id="mentor-a")
    body = {"themes": []}
    assert put_themes(api, api.key(tenant, Role.INGEST), note["id"], body).status_code == 403
    assert put_themes(api, api.key(tenant, Role.READ), note["id"], body).status_code == 200
    other_mentor = api.key(tenant, Role.READ, mentor="mentor-b")
    assert put_themes(api, other_mentor, note["id"], body).status_code == 404
    assert put_themes(api, api.key(api.tenant()), note["id"], body).status_code == 404
    assert put_themes(api, admin, "not-a-note", body).status_code == 404
    assert api.client.put(f"/v1/notes/{note['id']}/themes", json=body).status_code == 401


def test_queue_lists_unreviewed_notes_with_text_least_certain_first(api: Api) -> None:
    tenant = api.tenant()
    key = api.key(tenant)
    ids = [post(api, key, text)["id"] for text in NOTES]
    post(api, key, NOTES[0] + " Again.", store_text=False)
    reviewed = ids[0]
    put_themes(api, key, reviewed, {"themes": ["confidence"]})
    queue = api.client.get("/v1/review-queue?limit=200", headers=api.headers(key)).json()["notes"]
    assert {note["id"] for note in queue} == set(ids) - {reviewed}
    margins = [note["margin"] for note in queue]
    assert margins == sorted(margins) and all(m is not None and m >= 0 for m in margins)
    assert all(note["uncertain_theme"] for note in queue)
    with api.state.sessions() as session:
        stored = dict(session.execute(select(Note.id, Note.margin).where(Note.id.in_(ids))).all())
    assert [note["margin"] for note in queue] == [stored[note["id"]] for note in queue]
    top = api.client.get("/v1/review-queue?limit=2", headers=api.headers(key)).json()["notes"]
    assert [note["id"] for note in top] == [note["id"] for note in queue[:2]]


def test_queue_respects_mentor_binding_roles_and_limits(api: Api) -> None:
    tenant = api.tenant()
    admin = api.key(tenant)
    mine = post(api, admin, NOTES[2], mentor_id="mentor-a")["id"]
    post(api, admin, NOTES[3], mentor_id="mentor-b")
    mentor_key = api.key(tenant, Role.READ, mentor="mentor-a")
    queue = api.client.get("/v1/review-queue", headers=api.headers(mentor_key)).json()["notes"]
    assert [note["id"] for note in queue] == [mine]
    ingest = api.key(tenant, Role.INGEST)
    assert api.client.get("/v1/review-queue", headers=api.headers(ingest)).status_code == 403
    for limit in ("0", "201", "x"):
        response = api.client.get(f"/v1/review-queue?limit={limit}", headers=api.headers(admin))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "query.limit"
