"""DELETE /v1/mentees/{mentee_id}."""

from sqlalchemy import func, select

from service.auth.keys import Role
from service.storage.tables import Note, NoteTheme
from tests.service.api.routes.test_notes import assert_problem
from tests.service.conftest import Api

TEXT = "She spoke up in the review and felt confident about it."


def test_delete_mentee_erases_every_note_and_theme_and_returns_the_count(api: Api) -> None:
    tenant = api.tenant()
    key = api.key(tenant, Role.ADMIN)
    erased = [api.post_note(key, mentee_id="leaving", text=f"{TEXT} {i}").json() for i in range(3)]
    kept = api.post_note(key, mentee_id="staying", text=TEXT).json()
    response = api.client.delete("/v1/mentees/leaving", headers=api.headers(key))
    assert response.status_code == 200 and response.json() == {"deleted": 3}
    with api.state.sessions() as session:
        ids = [note["id"] for note in erased]
        assert session.scalar(select(func.count()).where(Note.id.in_(ids))) == 0
        orphans = (
            select(func.count())
            .select_from(NoteTheme)
            .where(~NoteTheme.note_seq.in_(select(Note.seq)))
        )
        assert session.scalar(orphans) == 0
    assert api.client.get(f"/v1/notes/{kept['id']}", headers=api.headers(key)).status_code == 200
    again = api.client.delete("/v1/mentees/leaving", headers=api.headers(key))
    assert again.json() == {"deleted": 0}


def test_delete_mentee_leaves_other_tenants_alone(api: Api) -> None:
    owner = api.key(api.tenant(), Role.ADMIN)
    note = api.post_note(owner, mentee_id="shared-name", text=TEXT).json()
    stranger = api.key(api.tenant(), Role.ADMIN)
    response = api.client.delete("/v1/mentees/shared-name", headers=api.headers(stranger))
    assert response.json() == {"deleted": 0}
    assert api.client.get(f"/v1/notes/{note['id']}", headers=api.headers(owner)).status_code == 200


def test_delete_mentee_needs_admin_role(api: Api) -> None:
    key = api.key(api.tenant(), Role.READ)
    assert_problem(api.client.delete("/v1/mentees/anyone", headers=api.headers(key)), 403)
    assert_problem(api.client.delete("/v1/mentees/anyone"), 401)
