"""The service commands: db upgrade, keys, demo, retag, export-samples, serve's schema check."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from service.auth.keys import KeyChecker, Principal, Role
from service.cli import app
from service.notes.reviews import review
from service.settings import get_settings
from service.storage.db import make_engine, make_sessions, transaction
from service.storage.tables import Note
from training.registry import load_model, save_model
from training.samples import load_samples

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("MENTOR_THEMES_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_db_upgrade_creates_the_schema_then_reports_up_to_date(database: str) -> None:
    first = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0 and "migrated from revision None" in first.output
    again = runner.invoke(app, ["db", "upgrade"])
    assert again.exit_code == 0 and "up to date" in again.output


def test_keys_create_prints_the_key_alone_on_the_last_line(database: str) -> None:
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(app, ["keys", "create", "--tenant", "acme", "--role", "ingest"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("mt_") and " " not in key
    principal = KeyChecker(make_sessions(make_engine(database)), 0).check(key)
    assert (principal.tenant_id, principal.role) == ("acme", "ingest")
    listed = runner.invoke(app, ["keys", "list", "--tenant", "acme"])
    assert principal.key_id in listed.output and key.split("_", 2)[2] not in listed.output


def test_keys_revoke_stops_the_key(database: str) -> None:
    runner.invoke(app, ["db", "upgrade"])
    key = runner.invoke(app, ["keys", "create", "--tenant", "a", "--role", "read"]).output
    key = key.strip().splitlines()[-1]
    result = runner.invoke(app, ["keys", "revoke", key.split("_")[1]])
    assert result.exit_code == 0, result.output
    with pytest.raises(Exception, match="revoked"):
        KeyChecker(make_sessions(make_engine(database)), 0).check(key)


def test_keys_create_rotate_revokes_earlier_keys_with_the_label(database: str) -> None:
    runner.invoke(app, ["db", "upgrade"])
    args = ["keys", "create", "--tenant", "demo", "--role", "admin", "--label", "local"]
    first = runner.invoke(app, args).output.strip().splitlines()[-1]
    second = runner.invoke(app, [*args, "--rotate"])
    assert "revoked earlier key" in second.output
    checker = KeyChecker(make_sessions(make_engine(database)), 0)
    with pytest.raises(Exception, match="revoked"):
        checker.check(first)
    checker.check(second.output.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "a", "--role", "owner"], "owner"),
        (["--tenant", "a", "--role", "admin", "--mentor", "m"], "--role read"),
        (["--tenant", "a", "--role", "read", "--rotate"], "--label"),
    ],
)
def test_keys_create_refuses_bad_options(database: str, args: list[str], message: str) -> None:
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(app, ["keys", "create", *args])
    assert result.exit_code == 2 and message in result.output


def test_revoking_an_unknown_key_fails(database: str) -> None:
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(app, ["keys", "revoke", "nope"])
    assert result.exit_code == 2 and "no API key" in result.output


def test_commands_refuse_a_database_that_is_not_migrated(database: str) -> None:
    for args in (["serve"], ["keys", "list"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "mentor-themes db upgrade" in result.output


def test_training_commands_are_part_of_the_same_cli() -> None:
    names = set(typer.main.get_group(app).commands)
    assert {"train", "evaluate", "tag", "select", "serve"} <= names
    assert names == {"train", "select", "evaluate", "tag", "agreement", "models", "retag",
                     "export-samples", "serve", "keys", "db", "demo"}  # fmt: skip


def test_demo_load_fills_an_empty_tenant_once(
    database: str, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MENTOR_THEMES_MODELS_DIR", str(models_dir))
    get_settings.cache_clear()
    runner.invoke(app, ["db", "upgrade"])
    first = runner.invoke(app, ["demo", "load", "--if-empty"])
    assert first.exit_code == 0 and "836 sessions stored in tenant demo" in first.output
    again = runner.invoke(app, ["demo", "load", "--if-empty"])
    assert "already has notes" in again.output
    forced = runner.invoke(app, ["demo", "load"])
    assert "0 sessions stored" in forced.output and "836 already there" in forced.output


@pytest.fixture
def demo_database(database: str, models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The CLI's database, migrated, with the demo sessions tagged by the test model."""
    monkeypatch.setenv("MENTOR_THEMES_MODELS_DIR", str(models_dir))
    get_settings.cache_clear()
    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["demo", "load"])
    return database


def test_export_samples_writes_reviewed_notes_with_text_as_training_samples(
    demo_database: str, tmp_path: Path
) -> None:
    database = demo_database
    runner.invoke(app, ["demo", "load", "--tenant", "other"])
    sessions = make_sessions(make_engine(database))
    reviewer = Principal(key_id="k", tenant_id="demo", role=Role.READ, mentor_id=None)
    with sessions() as session:
        ids = list(session.scalars(select(Note.id).where(Note.tenant_id == "demo").limit(3)))
        session.execute(update(Note).where(Note.id == ids[2]).values(text=None))
        session.commit()
    with transaction(sessions) as session:
        review(session, reviewer, ids[0], themes=["career", "skills"], reviewer="ana")
        review(session, reviewer, ids[1], themes=[], reviewer="ben")
        review(session, reviewer, ids[2], themes=["career"], reviewer="ana")  # no text kept
    with transaction(sessions) as session:
        other = Principal(key_id="k", tenant_id="other", role=Role.READ, mentor_id=None)
        first_other = session.scalars(select(Note.id).where(Note.tenant_id == "other")).first()
        assert first_other is not None
        review(session, other, first_other, themes=["learning"], reviewer="cy")
    out = tmp_path / "corrections.jsonl"
    result = runner.invoke(app, ["export-samples", "--tenant", "demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "exported 2 reviewed notes" in result.output
    samples = {sample.id: sample for sample in load_samples([out])}
    assert samples[f"note-{ids[0]}"].labels == ("career", "skills")
    assert samples[f"note-{ids[0]}"].source == "corrections:demo:ana"
    assert samples[f"note-{ids[1]}"].labels == ()
    everyone = runner.invoke(app, ["export-samples", "--out", str(out)])
    assert "exported 3 reviewed notes" in everyone.output
    later = runner.invoke(app, ["export-samples", "--since", "2999-01-01", "--out", str(out)])
    assert "exported 0 reviewed notes" in later.output
    today = datetime.now(UTC).date().isoformat()
    since_today = runner.invoke(app, ["export-samples", "--since", today, "--out", str(out)])
    assert "exported 3 reviewed notes" in since_today.output
    bad = runner.invoke(app, ["export-samples", "--since", "yesterday", "--out", str(out)])
    assert bad.exit_code == 2 and "--since" in bad.output


def test_retag_command_tags_stored_notes_with_the_active_model(
    demo_database: str, models_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    database = demo_database
    same = runner.invoke(app, ["retag"])
    assert same.exit_code == 0 and "re-tagged 0 notes" in same.output
    newer = tmp_path / "models"
    model = load_model(models_dir)
    save_model(newer, "20270101-000000-newer", model.tagger, model.card)
    monkeypatch.setenv("MENTOR_THEMES_MODELS_DIR", str(newer))
    get_settings.cache_clear()
    since = runner.invoke(app, ["retag", "--tenant", "demo", "--since", "2026-11-01"])
    assert since.exit_code == 0, since.output
    with make_sessions(make_engine(database))() as session:
        late = session.scalar(select(func.count()).where(Note.session_date >= date(2026, 11, 1)))
    assert f"re-tagged {late} notes with model 20270101-000000-newer" in since.output
    rest = runner.invoke(app, ["retag", "--batch", "100"])
    assert f"re-tagged {836 - late} notes" in rest.output
