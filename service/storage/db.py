"""Engines and sessions. SQLite runs in WAL mode with full fsync, so a committed note
survives a crash. PostgreSQL connections carry timeouts, so a database that is down or
unreachable fails a request within seconds (a 503, see ``service.api.problems``) instead
of holding it, and the pool pings each connection it hands out, so the service recovers
by itself when the database comes back."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)
# PostgreSQL: a connection attempt gives up after CONNECT_TIMEOUT_SECONDS (an unreachable
# host; a stopped server refuses at once); a request waits at most POOL_TIMEOUT_SECONDS for
# a free connection; the server cancels any statement after STATEMENT_TIMEOUT_MS (locks, a
# stuck query); TCP keepalives drop a connection whose peer vanished mid-query within about
# 25 s. Migrations lift the statement timeout (see ``service.storage.migrate``).
CONNECT_TIMEOUT_SECONDS = 3
POOL_TIMEOUT_SECONDS = 5
STATEMENT_TIMEOUT_MS = 15_000
POSTGRES_CONNECT_ARGS = {
    "connect_timeout": CONNECT_TIMEOUT_SECONDS,
    "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}


def make_engine(url: str) -> Engine:
    """An engine for ``url``; creates the folder of a SQLite file and sets its pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(
            url,
            connect_args=POSTGRES_CONNECT_ARGS,
            pool_pre_ping=True,  # a connection dropped by a restart is replaced, not used
            # Up to 40 request threads (AnyIO's default) plus the writer may hold one each.
            pool_size=10,
            max_overflow=40,
            pool_timeout=POOL_TIMEOUT_SECONDS,
            hide_parameters=True,
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 10},
        hide_parameters=True,  # errors must not carry note text into logs
    )

    @event.listens_for(engine, "connect")
    def _set_pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    return engine


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with sessions() as session, session.begin():
        yield session


def unreachable_reason(engine: Engine) -> str | None:
    """None when the database answers ``SELECT 1``, else why not (the error's type only: a
    driver's message may quote a statement)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        cause = getattr(error, "orig", None) or error
        return f"unreachable ({type(cause).__name__})"
    return None
