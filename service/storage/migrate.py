"""Schema migrations with Alembic, driven from code (no alembic.ini to keep in step)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """Alembic's configuration for these migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "service/storage/migrations has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


class SchemaOutOfDate(RuntimeError):
    """The database is not at the schema revision this version of the code needs."""


def check_schema(engine: Engine) -> None:
    """Raise SchemaOutOfDate unless the database is at the latest revision: code must not
    run on tables older (or newer) than it was written for."""
    revision, head = current_revision(engine), head_revision()
    if revision != head:
        raise SchemaOutOfDate(
            f"the database is at schema revision {revision} but this version needs {head}: "
            "run 'mentor-themes db upgrade' first"
        )


def _without_statement_timeout(connection: Connection) -> None:
    # A migration may rewrite a large table: storage.db's statement limit is for requests.
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL statement_timeout = 0"))


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the latest by default); safe to run again."""
    config = alembic_config()
    with engine.begin() as connection:
        _without_statement_timeout(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
