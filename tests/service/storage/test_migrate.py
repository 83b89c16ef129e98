"""Migrations create exactly the schema the tables declare, on both backends, and undo."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from service.notes.store import NewNote
from service.storage.db import make_engine
from service.storage.migrate import (
    SchemaOutOfDate,
    alembic_config,
    check_schema,
    current_revision,
    head_revision,
    upgrade,
)
from service.storage.tables import Base
from tests.service.conftest import BACKENDS, postgres_url


def downgrade(engine: Engine, revision: str) -> None:
    """Undo migrations down to ``revision``: only the tests go down."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own: the session's shared one is already migrated and in use."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = make_url(postgres_url())
    name = f"mentor_themes_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def test_migrations_match_the_declared_tables_and_can_be_undone(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
        upgrade(engine)  # running it again changes nothing
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_check_schema_refuses_a_database_not_at_head_naming_both_revisions(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'behind.db'}")
    try:
        with pytest.raises(SchemaOutOfDate, match="at schema revision None but this version"):
            check_schema(engine)
        upgrade(engine, "0003")
        with pytest.raises(SchemaOutOfDate, match=f"0003 but this version needs {head_revision()}"):
            check_schema(engine)
        upgrade(engine)
        check_schema(engine)
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'notes.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
    assert (tmp_path / "var").is_dir()


def test_0002_gives_stored_notes_their_fingerprint(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO tenants VALUES ('t', '2026-01-01')"))
        connection.execute(
            text(
                "INSERT INTO notes (id, tenant_id, external_id, mentee_id, session_date, text,"
                " text_sha256, text_chars, model_version, created_at) VALUES"
                " ('n1', 't', 'e1', 'm', '2026-01-01', 'She spoke up.', 'x', 13, 'v',"
                " '2026-01-01'), ('n2', 't', NULL, 'm', '2026-01-01', 'Other.', 'y', 6, 'v',"
                " '2026-01-01')"
            )
        )
    upgrade(engine)
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT id, text_fingerprint FROM notes")).all())
    expected = NewNote(text="She spoke up.", mentee_id="m", external_id="e1").fingerprint("t")
    assert rows == {"n1": expected, "n2": None}
    engine.dispose()


def test_0004_rebuilds_the_rollups_from_notes_stored_before_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO tenants VALUES ('t', '2026-01-01')"))
        connection.execute(
            text(
                "INSERT INTO notes (seq, id, tenant_id, mentee_id, cohort, session_date, text,"
                " text_chars, model_version, created_at) VALUES"
                " (1, 'n1', 't', 'm1', 'c', '2026-03-02', 'a', 1, 'v1', '2026-03-02'),"
                " (2, 'n2', 't', 'm2', NULL, '2026-03-20', 'b', 1, 'v2', '2026-03-20')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO note_themes VALUES (1, 'skills', 0.9, '[]'),"
                " (1, 'career', 0.8, '[]'), (2, 'skills', 0.7, '[]')"
            )
        )
    upgrade(engine)
    with engine.connect() as connection:
        month = "period_kind = 'month' AND period_start = '2026-03-01'"
        themes = connection.execute(
            text(f"SELECT scope_kind, theme, notes FROM trend_themes WHERE {month}")
        ).all()
        versions = connection.execute(
            text(f"SELECT scope_kind, model_version, notes FROM trend_versions WHERE {month}")
        ).all()
    assert sorted(themes) == [
        ("cohort", "career", 1), ("cohort", "skills", 1),
        ("tenant", "career", 1), ("tenant", "skills", 2),
    ]  # fmt: skip
    assert sorted(versions) == [("cohort", "v1", 1), ("tenant", "v1", 1), ("tenant", "v2", 1)]
    engine.dispose()
