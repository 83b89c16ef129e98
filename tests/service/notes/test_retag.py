"""Re-tagging stored notes with another model: themes, reviews, rollups, resumption."""

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from service.auth.keys import Role
from service.notes.retag import retag
from service.storage.tables import Note
from tests.service.conftest import Api
from tests.service.trends.test_rollups import recount, stored
from training.registry import LoadedModel, load_model

NOTES = [
    "She led the planning meeting with confidence.",
    "We moved the session to Thursday.",
    "He practised SQL window functions.",
    "She met three people at the meetup.",
    "He applied for the team lead role.",
]


@pytest.fixture(scope="module")
def every_theme_model(models_dir: Path) -> LoadedModel:
    """The test model with every threshold at 0: it gives each note every theme."""
    model = load_model(models_dir)
    tagger = copy.deepcopy(model.tagger)
    tagger.thresholds_ = np.zeros_like(tagger.thresholds_)
    return LoadedModel(**{**model.__dict__, "tagger": tagger, "version": "every-theme"})


def fill(api: Api, key: str, texts: list[str], **fields: Any) -> list[str]:
    body = {"notes": [{"text": t, "mentee_id": "m", "cohort": "c", **fields} for t in texts]}
    response = api.client.post("/v1/notes/batch", json=body, headers=api.headers(key))
    return [result["note"]["id"] for result in response.json()["results"]]


def test_retag_renews_themes_but_keeps_a_reviewers(
    api: Api, every_theme_model: LoadedModel
) -> None:
    tenant = api.tenant()
    key = api.key(tenant, Role.ADMIN)
    ids = fill(api, key, NOTES, session_date="2026-05-04")
    fill(api, key, ["Kept without text."], store_text=False, session_date="2026-05-05")
    api.client.put(
        f"/v1/notes/{ids[0]}/themes", json={"themes": ["skills"]}, headers=api.headers(key)
    )
    labels = sorted(str(label) for label in every_theme_model.tagger.classes_)
    trends_url = "/v1/trends?scope=mentee&id=m&from=2026-05-01&to=2026-05-31"

    result = retag(api.state.sessions, every_theme_model, tenant_id=tenant, batch_size=2)

    assert (result.retagged, result.skipped_without_text) == (len(NOTES), 1)
    notes = {
        n["id"]: n
        for n in api.client.get("/v1/notes?limit=200", headers=api.headers(key)).json()["notes"]
    }
    for note_id in ids[1:]:
        assert sorted(t["theme"] for t in notes[note_id]["themes"]) == labels
        assert notes[note_id]["model_version"] == "every-theme"
    reviewed = notes[ids[0]]
    assert [t["theme"] for t in reviewed["themes"]] == ["skills"]
    assert sorted(t["theme"] for t in reviewed["model_themes"]) == labels
    trends = api.client.get(trends_url, headers=api.headers(key)).json()
    assert trends["model_versions"]["every-theme"] == len(NOTES)
    assert len(trends["model_versions"]) == 2 and "2 model versions" in trends["mixed_versions"]
    with api.state.sessions() as session:
        expected = recount(list(session.scalars(select(Note).where(Note.tenant_id == tenant))))
    assert stored(api, tenant)[0] == expected
    again = retag(api.state.sessions, every_theme_model, tenant_id=tenant)
    assert again.retagged == 0


def test_an_interrupted_retag_resumes_where_it_stopped(
    api: Api, every_theme_model: LoadedModel
) -> None:
    tenant = api.tenant()
    key = api.key(tenant, Role.ADMIN)
    fill(api, key, [f"{text} ({i})" for i in range(4) for text in NOTES])
    seen: list[int] = []

    def stop_after_two_batches(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        retag(
            api.state.sessions, every_theme_model, tenant_id=tenant, batch_size=3,
            progress=stop_after_two_batches,
        )  # fmt: skip
    with api.state.sessions() as session:
        versions = session.scalars(select(Note.model_version).where(Note.tenant_id == tenant))
        assert sorted(versions).count("every-theme") == 6
    rest = retag(api.state.sessions, every_theme_model, tenant_id=tenant, batch_size=3)
    assert rest.retagged == 4 * len(NOTES) - 6
    trends = api.client.get("/v1/trends?scope=mentee&id=m", headers=api.headers(key)).json()
    assert trends["model_versions"] == {"every-theme": 4 * len(NOTES)}
    assert trends["mixed_versions"] is None


def test_retag_of_one_tenant_leaves_the_others_alone(
    api: Api, every_theme_model: LoadedModel
) -> None:
    mine, theirs = api.tenant(), api.tenant()
    fill(api, api.key(mine), NOTES[:2])
    fill(api, api.key(theirs), NOTES[:2])
    retag(api.state.sessions, every_theme_model, tenant_id=mine)
    with api.state.sessions() as session:
        versions = set(session.scalars(select(Note.model_version).where(Note.tenant_id == theirs)))
    assert versions == {api.state.tagging.model.version}
