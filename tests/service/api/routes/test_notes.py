"""POST/GET/DELETE /v1/notes and /v1/notes/batch."""

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from service.auth.keys import Role
from service.storage.tables import Note, NoteTheme
from tests.service.conftest import Api

TEXT = (
    "Priya finally spoke up in the design review and it went well. "
    "We mapped out who could introduce her to the platform team."
)


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if field is not None:
        assert field in [error["field"] for error in body["errors"]], body
    return body


def test_post_note_returns_201_with_themes_evidence_and_model_version(api: Api) -> None:
    key = api.key(api.tenant(), Role.INGEST)
    response = api.post_note(
        key,
        text=TEXT,
        mentee_id="mentee-1",
        mentor_id="mentor-1",
        cohort="autumn",
        session_date="2026-10-01",
        author_role="mentor",
        external_id="s-1",
    )
    assert response.status_code == 201, response.text
    note = response.json()
    assert note["model_version"] == "20260101-000000-test"
    assert note["text"] == TEXT and note["text_stored"] and note["text_chars"] == len(TEXT)
    assert (note["mentee_id"], note["mentor_id"], note["cohort"]) == (
        "mentee-1",
        "mentor-1",
        "autumn",
    )
    assert note["session_date"] == "2026-10-01" and note["author_role"] == "mentor"
    assert note["themes"], "this note should get at least one theme"
    for theme in note["themes"]:
        assert 0 <= theme["score"] <= 1
        for evidence in theme["evidence"]:
            assert TEXT[evidence["start"] : evidence["end"]] == evidence["text"]


def test_post_note_is_committed_with_themes(api: Api) -> None:
    key = api.key(api.tenant(), Role.INGEST)
    note = api.post_note(key, text=TEXT).json()
    with api.state.sessions() as session:
        stored = session.scalars(select(Note).where(Note.id == note["id"])).one()
        assert stored.text == TEXT
        assert {row.theme for row in stored.themes} == {t["theme"] for t in note["themes"]}
        assert stored.model_version == note["model_version"]


def test_post_note_defaults_session_date_to_today(api: Api) -> None:
    note = api.post_note(api.key(api.tenant(), Role.INGEST)).json()
    assert abs(date.fromisoformat(note["session_date"]) - date.today()) <= timedelta(days=1)


def test_post_same_external_id_and_text_returns_the_stored_note_with_200(api: Api) -> None:
    key = api.key(api.tenant(), Role.INGEST)
    first = api.post_note(key, external_id="e-1", text=TEXT)
    again = api.post_note(key, external_id="e-1", text=TEXT)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()


def test_post_different_text_under_same_external_id_returns_409(api: Api) -> None:
    key = api.key(api.tenant(), Role.INGEST)
    api.post_note(key, external_id="e-1", text=TEXT)
    body = assert_problem(api.post_note(key, external_id="e-1", text="Another note."), 409)
    assert "e-1" in body["detail"]


def test_external_ids_are_per_tenant(api: Api) -> None:
    first = api.post_note(api.key(api.tenant(), Role.INGEST), external_id="same", text=TEXT)
    other = api.post_note(api.key(api.tenant(), Role.INGEST), external_id="same", text="Other.")
    assert (first.status_code, other.status_code) == (201, 201)


def test_store_text_false_keeps_themes_and_offsets_but_no_text(api: Api) -> None:
    tenant = api.tenant()
    key = api.key(tenant, Role.ADMIN)
    posted = api.post_note(key, text=TEXT, store_text=False, external_id="private")
    assert posted.status_code == 201
    note = posted.json()
    assert note["text"] is None and not note["text_stored"] and note["text_chars"] == len(TEXT)
    assert note["themes"]
    for theme in note["themes"]:
        for evidence in theme["evidence"]:
            assert evidence["text"] is None and 0 <= evidence["start"] < evidence["end"]
    with api.state.sessions() as session:
        stored = session.scalars(select(Note).where(Note.id == note["id"])).one()
        assert stored.text is None
        assert all("text" not in e for row in stored.themes for e in row.evidence)
    # A replay is still recognised, by the text's hash.
    assert api.post_note(key, text=TEXT, store_text=False, external_id="private").status_code == 200
    assert api.client.get(f"/v1/notes/{note['id']}", headers=api.headers(key)).json() == note


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"colour": "blue"}, "body.colour"),
        ({"text": ""}, "body.text"),
        ({"text": "   \n "}, "body.text"),
        ({"text": "x" * 5_001}, "body.text"),
        ({"text": 42}, "body.text"),
        ({"mentee_id": ""}, "body.mentee_id"),
        ({"mentee_id": None}, "body.mentee_id"),
        ({"author_role": "coach"}, "body.author_role"),
        ({"session_date": "2026-13-40"}, "body.session_date"),
        ({"store_text": "maybe"}, "body.store_text"),
        ({"store_text": "false"}, "body.store_text"),  # not read as a boolean
        ({"store_text": 0}, "body.store_text"),
        ({"session_date": 0}, "body.session_date"),  # not read as Unix time
        ({"session_date": "2026-11-20T00:00:00"}, "body.session_date"),
        ({"external_id": "x" * 257}, "body.external_id"),
    ],
)
def test_post_note_with_bad_field_returns_422_naming_it(
    api: Api, fields: dict[str, Any], field: str
) -> None:
    tenant = api.tenant()
    key = api.key(tenant, Role.ADMIN)
    assert_problem(api.post_note(key, **fields), 422, field)
    listed = api.client.get("/v1/notes", headers=api.headers(key)).json()
    assert listed["notes"] == [], "nothing may be stored from a refused request"


def test_post_note_without_mentee_returns_422(api: Api) -> None:
    key = api.key(api.tenant(), Role.INGEST)
    response = api.client.post("/v1/notes", json={"text": TEXT}, headers=api.headers(key))
    body = assert_problem(response, 422, "body.mentee_id")
    assert "required" in body["detail"]


def test_post_note_that_is_not_json_returns_422(api: Api) -> None:
    key = api.key(api.tenant(), Role.INGEST)
    response = api.client.post(
        "/v1/notes",
        content=b"{not json",
        headers=api.headers(key) | {"Content-Type": "application/json"},
    )
    assert_problem(response, 422)


def test_text_limit_is_the_configured_one(api: Api) -> None:
    key = api.key(api.tenant(), Role.INGEST)
    assert api.post_note(key, text="x" * 5_000).status_code == 201
    body = assert_problem(api.post_note(key, text="x" * 5_001), 422, "body.text")
    assert "5000" in body["detail"]


def test_post_note_needs_ingest_or_admin_role(api: Api) -> None:
    body = assert_problem(api.post_note(api.key(api.tenant(), Role.READ)), 403)
    assert "ingest" in body["detail"]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer nonsense", "Bearer mt_000000000000_wrong", "Basic dXNlcjpwdw=="],
)
def test_post_note_without_a_valid_key_returns_401(api: Api, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = api.client.post("/v1/notes", json={"text": TEXT, "mentee_id": "m"}, headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_wrong_secret_for_a_real_key_id_returns_401(api: Api) -> None:
    key = api.key(api.tenant(), Role.INGEST)
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert_problem(api.post_note(forged), 401)


# ---- batch ----


def batch(api: Api, key: str, notes: list[Any]) -> Any:
    return api.client.post("/v1/notes/batch", json={"notes": notes}, headers=api.headers(key))


def test_batch_stores_good_items_and_reports_bad_ones_per_item(api: Api) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    api.post_note(key, external_id="taken", text="The original text.")
    notes = [
        {"text": TEXT, "mentee_id": "m-1", "external_id": "a"},
        {"text": "", "mentee_id": "m-1"},
        {"text": "She applied for the staff role.", "mentee_id": "m-2", "unknown": 1},
        {"text": "Changed text.", "mentee_id": "m-1", "external_id": "taken"},
        {"text": "The original text.", "mentee_id": "m-1", "external_id": "taken"},
        {"text": TEXT, "mentee_id": "m-1", "external_id": "a"},
        {"text": "Another text.", "mentee_id": "m-1", "external_id": "a"},
        "not an object",
        {"text": "We practised her talk twice.", "mentee_id": "m-3"},
    ]
    response = batch(api, key, notes)
    assert response.status_code == 200, response.text
    body = response.json()
    statuses = [result["status"] for result in body["results"]]
    assert statuses == [201, 422, 422, 409, 200, 200, 409, 422, 201]
    assert [r["index"] for r in body["results"]] == list(range(len(notes)))
    assert (body["created"], body["existing"], body["failed"]) == (2, 2, 5)
    fields = [e["field"] for e in body["results"][1]["problem"]["errors"]]
    assert fields == ["body.notes.1.text"]
    assert body["results"][2]["problem"]["errors"][0]["field"] == "body.notes.2.unknown"
    assert body["results"][5]["note"]["id"] == body["results"][0]["note"]["id"]
    listed = api.client.get("/v1/notes", headers=api.headers(key)).json()["notes"]
    assert len(listed) == 3


def test_batch_tags_each_note_as_a_single_post_would(api: Api) -> None:
    key = api.key(api.tenant(), Role.INGEST)
    texts = [TEXT, "We moved the session to Thursday.", "He asked how to handle the layoffs."]
    stored = batch(api, key, [{"text": t, "mentee_id": "m"} for t in texts]).json()["results"]
    for text, result in zip(texts, stored, strict=True):
        alone = api.post_note(key, text=text).json()
        assert result["note"]["themes"] == alone["themes"]


def test_batch_over_the_count_limit_returns_422_and_stores_nothing(api: Api) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    notes = [{"text": f"Note {i}.", "mentee_id": "m"} for i in range(51)]
    body = assert_problem(batch(api, key, notes), 422, "body.notes")
    assert "50" in body["detail"]
    assert api.client.get("/v1/notes", headers=api.headers(key)).json()["notes"] == []


def test_empty_batch_returns_422(api: Api) -> None:
    assert_problem(batch(api, api.key(api.tenant(), Role.INGEST), []), 422, "body.notes")


def test_batch_needs_ingest_role(api: Api) -> None:
    assert_problem(batch(api, api.key(api.tenant(), Role.READ), [{"text": TEXT}]), 403)


# ---- reading ----


def test_get_note_returns_it(api: Api) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    note = api.post_note(key, text=TEXT).json()
    response = api.client.get(f"/v1/notes/{note['id']}", headers=api.headers(key))
    assert response.status_code == 200 and response.json() == note


def test_another_tenants_note_answers_404_like_a_missing_one(api: Api) -> None:
    owner = api.key(api.tenant(), Role.ADMIN)
    stranger = api.key(api.tenant(), Role.ADMIN)
    note = api.post_note(owner, text=TEXT).json()
    theirs = api.client.get(f"/v1/notes/{note['id']}", headers=api.headers(stranger))
    missing_id = note["id"][:-4] + "0000"
    missing = api.client.get(f"/v1/notes/{missing_id}", headers=api.headers(stranger))
    assert_problem(theirs, 404)
    assert theirs.json() == missing.json() | {
        "detail": missing.json()["detail"].replace(missing_id, note["id"])
    }
    listed = api.client.get("/v1/notes", headers=api.headers(stranger)).json()
    assert listed["notes"] == []


def test_get_note_needs_read_or_admin_role(api: Api) -> None:
    tenant = api.tenant()
    note = api.post_note(api.key(tenant, Role.ADMIN)).json()
    ingest = api.key(tenant, Role.INGEST)
    assert_problem(api.client.get(f"/v1/notes/{note['id']}", headers=api.headers(ingest)), 403)
    assert_problem(api.client.get("/v1/notes", headers=api.headers(ingest)), 403)
    reader = api.key(tenant, Role.READ)
    assert api.client.get(f"/v1/notes/{note['id']}", headers=api.headers(reader)).status_code == 200


def seed(api: Api, key: str) -> list[dict[str, Any]]:
    rows = [
        ("m-1", "mentor-a", "spring", "2026-01-05", TEXT),
        ("m-1", "mentor-a", "spring", "2026-02-05", "We rescheduled to next Tuesday."),
        ("m-2", "mentor-b", "spring", "2026-02-05", TEXT),
        ("m-2", "mentor-b", "autumn", "2026-03-10", "She is applying for the team lead role."),
        ("m-3", "mentor-a", "autumn", "2026-03-10", TEXT),
        ("m-3", None, None, "2026-04-01", "He took the layoff news hard but bounced back."),
        ("m-4", "mentor-b", "autumn", "2026-04-20", TEXT),
    ]
    return [
        api.post_note(
            key, mentee_id=m, mentor_id=mentor, cohort=c, session_date=d, text=text
        ).json()
        for m, mentor, c, d, text in rows
    ]


def list_all(api: Api, key: str, query: str = "", limit: int = 3) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = []
    cursor = None
    while True:
        url = f"/v1/notes?limit={limit}{query}" + (f"&cursor={cursor}" if cursor else "")
        response = api.client.get(url, headers=api.headers(key))
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["notes"]) <= limit
        notes.extend(page["notes"])
        cursor = page["next_cursor"]
        if cursor is None:
            return notes


def test_list_pages_through_every_note_newest_session_first(api: Api) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    posted = seed(api, key)
    listed = list_all(api, key)
    assert sorted(n["id"] for n in listed) == sorted(n["id"] for n in posted)
    order = [(n["session_date"], n["created_at"]) for n in listed]
    assert [d for d, _ in order] == sorted((d for d, _ in order), reverse=True)
    # Stable: a second walk sees the same order, and a note added meanwhile does not
    # shift the pages (keyset cursor, not offsets).
    assert [n["id"] for n in list_all(api, key, limit=2)] == [n["id"] for n in listed]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("&mentee_id=m-1", 2),
        ("&mentor_id=mentor-a", 3),
        ("&cohort=autumn", 3),
        ("&from=2026-02-05&to=2026-03-10", 4),
        ("&from=2026-04-01", 2),
        ("&mentee_id=m-2&cohort=spring", 1),
    ],
)
def test_list_filters(api: Api, query: str, expected: int) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    seed(api, key)
    assert len(list_all(api, key, query)) == expected


def test_list_filters_by_theme(api: Api) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    posted = seed(api, key)
    theme = posted[0]["themes"][0]["theme"]
    expected = {n["id"] for n in posted if theme in {t["theme"] for t in n["themes"]}}
    listed = list_all(api, key, f"&theme={theme}")
    assert {n["id"] for n in listed} == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?cursor=bm9wZQ", "query.cursor"),
        ("?cursor=%%%", "query.cursor"),
        ("?limit=0", "query.limit"),
        ("?limit=201", "query.limit"),
        ("?from=yesterday", "query.from"),
        ("?to=0", "query.to"),  # not read as Unix time
        ("?from=86400", "query.from"),
        ("?from=2026-05-01&to=2026-04-01", "query.from"),
    ],
)
def test_list_with_bad_query_returns_422_naming_it(api: Api, query: str, field: str) -> None:
    key = api.key(api.tenant(), Role.READ)
    assert_problem(api.client.get(f"/v1/notes{query}", headers=api.headers(key)), 422, field)


def test_mentor_bound_read_key_sees_only_that_mentors_notes(api: Api) -> None:
    tenant = api.tenant()
    posted = seed(api, api.key(tenant, Role.ADMIN))
    mentor_key = api.key(tenant, Role.READ, mentor="mentor-a")
    listed = list_all(api, mentor_key)
    assert {n["id"] for n in listed} == {n["id"] for n in posted if n["mentor_id"] == "mentor-a"}
    others = [n for n in posted if n["mentor_id"] != "mentor-a"]
    for note in others:
        response = api.client.get(f"/v1/notes/{note['id']}", headers=api.headers(mentor_key))
        assert_problem(response, 404)
    assert list_all(api, mentor_key, "&mentor_id=mentor-b") == []


# ---- deleting ----


def test_delete_note_removes_it_and_its_themes(api: Api) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    note = api.post_note(key, text=TEXT).json()
    response = api.client.delete(f"/v1/notes/{note['id']}", headers=api.headers(key))
    assert response.status_code == 204 and response.content == b""
    assert_problem(api.client.get(f"/v1/notes/{note['id']}", headers=api.headers(key)), 404)
    assert_problem(api.client.delete(f"/v1/notes/{note['id']}", headers=api.headers(key)), 404)
    with api.state.sessions() as session:
        assert session.scalars(select(Note).where(Note.id == note["id"])).first() is None


def test_delete_another_tenants_note_answers_404_and_keeps_it(api: Api) -> None:
    owner = api.key(api.tenant(), Role.ADMIN)
    note = api.post_note(owner, text=TEXT).json()
    stranger = api.key(api.tenant(), Role.ADMIN)
    assert_problem(api.client.delete(f"/v1/notes/{note['id']}", headers=api.headers(stranger)), 404)
    assert api.client.get(f"/v1/notes/{note['id']}", headers=api.headers(owner)).status_code == 200


@pytest.mark.parametrize("role", [Role.READ, Role.INGEST])
def test_delete_note_needs_admin_role(api: Api, role: Role) -> None:
    tenant = api.tenant()
    note = api.post_note(api.key(tenant, Role.ADMIN)).json()
    key = api.key(tenant, role)
    assert_problem(api.client.delete(f"/v1/notes/{note['id']}", headers=api.headers(key)), 403)


# ---- found in review: pages under inserts, unstorable characters, forged cursors, races ----


def test_pages_do_not_shift_when_notes_arrive_between_them(api: Api) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    posted = seed(api, key)
    first = api.client.get("/v1/notes?limit=3", headers=api.headers(key)).json()
    newer = api.post_note(key, session_date="2026-12-31", text="Newest note.").json()
    older = api.post_note(key, session_date="2025-01-01", text="Oldest note.").json()
    rest = list_all(api, key, f"&cursor={first['next_cursor']}")
    seen = [n["id"] for n in first["notes"]] + [n["id"] for n in rest]
    assert len(seen) == len(set(seen)), "a note was shown twice"
    assert set(seen) == {n["id"] for n in posted} | {older["id"]}
    assert newer["id"] not in seen  # it sorts before the pages already read


def test_delete_note_removes_its_theme_rows(api: Api) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    note = api.post_note(key, text=TEXT).json()
    assert note["themes"]
    with api.state.sessions() as session:
        seq = session.scalars(select(Note.seq).where(Note.id == note["id"])).one()
    api.client.delete(f"/v1/notes/{note['id']}", headers=api.headers(key))
    with api.state.sessions() as session:
        assert session.scalars(select(NoteTheme).where(NoteTheme.note_seq == seq)).all() == []


@pytest.mark.parametrize("field", ["text", "mentee_id", "external_id", "mentor_id", "cohort"])
@pytest.mark.parametrize("bad", ["a\\u0000b", "a\\ud800b"])
def test_unstorable_characters_return_422_naming_the_field(api: Api, field: str, bad: str) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    values = {"text": "She spoke up.", "mentee_id": "m"} | {field: "@"}
    raw = json.dumps(values).replace('"@"', f'"{bad}"').encode()
    headers = api.headers(key) | {"Content-Type": "application/json"}
    body = assert_problem(api.client.post("/v1/notes", content=raw, headers=headers), 422)
    assert [e["field"] for e in body["errors"]] == [f"body.{field}"]
    assert "NUL" in body["detail"] or "unicode" in body["detail"]
    tagged = api.client.post(
        "/v1/tag", content=f'{{"texts": ["fine", "{bad}"]}}'.encode(), headers=headers
    )
    assert_problem(tagged, 422, "body.texts.1")


def test_unstorable_item_in_a_batch_fails_alone(api: Api) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    raw = (
        b'{"notes": [{"text": "bad \\u0000", "mentee_id": "m"}, {"text": "Ok.", "mentee_id": "m"}]}'
    )
    headers = api.headers(key) | {"Content-Type": "application/json"}
    response = api.client.post("/v1/notes/batch", content=raw, headers=headers)
    assert [r["status"] for r in response.json()["results"]] == [422, 201]


def test_unstorable_characters_in_paths_and_queries(api: Api) -> None:
    headers = api.headers(api.key(api.tenant(), Role.ADMIN))
    assert_problem(
        api.client.get("/v1/notes?mentee_id=a%00b", headers=headers), 422, "query.mentee_id"
    )
    assert_problem(api.client.get("/v1/notes/ab%00c", headers=headers), 404)
    assert_problem(api.client.delete("/v1/notes/ab%00c", headers=headers), 404)
    assert_problem(api.client.delete("/v1/mentees/a%00b", headers=headers), 422, "path.mentee_id")


@pytest.mark.parametrize("position", ["2026-01-01|99999999999999999999", "2026-01-01|-5", "x|1"])
def test_forged_cursor_returns_422(api: Api, position: str) -> None:
    key = api.key(api.tenant(), Role.READ)
    cursor = base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")
    response = api.client.get(f"/v1/notes?cursor={cursor}", headers=api.headers(key))
    assert_problem(response, 422, "query.cursor")


def test_malformed_json_is_reported_on_the_body(api: Api) -> None:
    key = api.key(api.tenant(), Role.INGEST)
    headers = api.headers(key) | {"Content-Type": "application/json"}
    response = api.client.post("/v1/notes", content=b'{"text": "a",', headers=headers)
    body = assert_problem(response, 422, "body")
    assert "not valid JSON" in body["detail"]


def test_concurrent_posts_of_one_external_id_store_it_once(api: Api) -> None:
    key = api.key(api.tenant(), Role.ADMIN)

    def post(_: int) -> Any:
        return api.post_note(key, external_id="race", text=TEXT)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(post, range(8)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 7 + [201], [r.text for r in responses if r.status_code >= 300]
    assert len({r.json()["id"] for r in responses}) == 1
    assert len(api.client.get("/v1/notes", headers=api.headers(key)).json()["notes"]) == 1
