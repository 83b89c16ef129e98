"""Trends benchmark: prints figures, asserts nothing.

Loads synthetic notes with themes (bulk inserts, and the rollups through the same code the
service uses) into SQLite and into PostgreSQL, then times, at 100,000 and at 1,000,000
notes on each database:

- the trends computation of /v1/trends (``service.trends.compute``, monthly, two years)
  for one mentee and for the whole tenant;
- the bare SQL ``GROUP BY theme, month`` over the raw note and note-theme rows for the
  same mentee (an indexed query) and the same tenant (a full scan);

and prints the medians and each trends figure as a ratio to the bare query of the same
scope on the same database, so growth with the notes shows at a glance.

PostgreSQL comes from MENTOR_THEMES_BENCH_POSTGRES_URL, else from
scripts/test-postgres.sh (which starts a local server); the bench creates and drops a
database of its own on that server.

Usage: python bench/trends.py [--sizes 100000 1000000] [--repeat 15] [--skip-postgres]
"""

import argparse
import os
import random
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from service.auth.keys import Principal, Role
from service.storage.db import make_engine, make_sessions
from service.storage.migrate import upgrade
from service.storage.tables import Note, NoteTheme, Tenant
from service.trends import rollups
from service.trends.compute import compute
from service.trends.periods import Interval
from service.trends.results import TrendQuery
from service.trends.rollups import RollupNote

ROOT = Path(__file__).resolve().parent.parent
THEMES = ("career", "confidence", "learning", "networking", "resilience", "skills")
TENANT = "bench"
MENTEES = 5_000
MENTORS = 250
COHORTS = 40
FIRST_DAY = date(2025, 1, 1)
DAYS = 730
CHUNK = 20_000

BARE = {
    "sqlite": (
        "SELECT nt.theme, substr(n.session_date, 1, 7) AS month, count(*) FROM notes n "
        "JOIN note_themes nt ON nt.note_seq = n.seq WHERE n.tenant_id = :tenant {scope} "
        "GROUP BY nt.theme, month"
    ),
    "postgresql": (
        "SELECT nt.theme, date_trunc('month', n.session_date) AS month, count(*) FROM notes n "
        "JOIN note_themes nt ON nt.note_seq = n.seq WHERE n.tenant_id = :tenant {scope} "
        "GROUP BY nt.theme, month"
    ),
}


def synthetic_notes(
    start_seq: int, count: int, chooser: random.Random
) -> Iterator[list[dict[str, object]]]:
    """Rows for ``count`` notes (and their themes) in chunks, seqs from ``start_seq``."""
    now = datetime.now(UTC)
    for offset in range(0, count, CHUNK):
        notes, themes = [], []
        for seq in range(start_seq + offset, start_seq + min(count, offset + CHUNK)):
            mentee = chooser.randrange(MENTEES)
            notes.append(
                {
                    "seq": seq,
                    "id": str(uuid.UUID(int=seq)),
                    "tenant_id": TENANT,
                    "external_id": None,
                    "mentee_id": f"mentee-{mentee}",
                    "mentor_id": f"mentor-{mentee % MENTORS}",
                    "cohort": f"cohort-{mentee % COHORTS}",
                    "session_date": FIRST_DAY + timedelta(days=chooser.randrange(DAYS)),
                    "author_role": "mentor",
                    "text": None,
                    "text_fingerprint": None,
                    "text_chars": 400,
                    "model_version": "bench",
                    "created_at": now,
                }
            )
            for theme in chooser.sample(THEMES, chooser.choice((0, 1, 1, 2, 2, 3))):
                themes.append(
                    {"note_seq": seq, "theme": theme, "score": chooser.random(), "evidence": []}
                )
        yield [notes, themes]


def load(engine: Engine, start_seq: int, count: int, chooser: random.Random) -> float:
    """Insert notes, themes and rollups; returns seconds."""
    started = time.perf_counter()
    sessions = make_sessions(engine)
    for notes, themes in synthetic_notes(start_seq, count, chooser):
        with sessions() as session, session.begin():
            session.execute(insert(Note.__table__), notes)
            session.execute(insert(NoteTheme.__table__), themes)
            by_note: dict[int, list[str]] = {}
            for row in themes:
                by_note.setdefault(int(row["note_seq"]), []).append(str(row["theme"]))  # type: ignore[call-overload]
            rollups.apply(
                session,
                [
                    RollupNote(
                        tenant_id=TENANT,
                        mentee_id=str(n["mentee_id"]),
                        mentor_id=str(n["mentor_id"]),
                        cohort=str(n["cohort"]),
                        session_date=n["session_date"],  # type: ignore[arg-type]
                        themes=tuple(by_note.get(int(n["seq"]), ())),  # type: ignore[call-overload]
                    )
                    for n in notes
                ],
                1,
            )
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(engine: Engine, repeat: int) -> dict[str, float]:
    principal = Principal(key_id="bench", tenant_id=TENANT, role=Role.ADMIN, mentor_id=None)
    mentee = "mentee-42"
    last = FIRST_DAY + timedelta(days=DAYS)
    figures = {}
    sql = BARE[engine.dialect.name]
    for scope, where, params in (
        ("mentee", "AND n.mentee_id = :mentee", {"mentee": mentee}),
        ("tenant", "", {}),
    ):
        statement = text(sql.format(scope=where))
        with engine.connect() as connection:
            figures[f"bare {scope}"] = median_ms(
                lambda s=statement, p=params, c=connection: c.execute(
                    s, {"tenant": TENANT, **p}
                ).all(),
                repeat,
            )
        query = TrendQuery(
            scope, mentee if scope == "mentee" else "", Interval.MONTH, FIRST_DAY, last
        )
        with Session(engine) as session:
            figures[f"trends {scope}"] = median_ms(
                lambda q=query, s=session: compute(s, principal, q, themes=THEMES, min_group=5),
                repeat,
            )
    return figures


@contextmanager
def databases(skip_postgres: bool) -> Iterator[list[tuple[str, Engine]]]:
    engines: list[tuple[str, Engine]] = []
    folder = tempfile.TemporaryDirectory()
    engines.append(("SQLite", make_engine(f"sqlite:///{Path(folder.name) / 'bench.db'}")))
    admin, name = None, f"mentor_themes_bench_{uuid.uuid4().hex[:8]}"
    if not skip_postgres:
        url = (
            os.environ.get("MENTOR_THEMES_BENCH_POSTGRES_URL")
            or subprocess.run(
                [str(ROOT / "scripts" / "test-postgres.sh")],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        bench_url = make_url(url).set(database=name).render_as_string(hide_password=False)
        engines.append(("PostgreSQL", make_engine(bench_url)))
    try:
        for _, engine in engines:
            upgrade(engine)
            with engine.begin() as connection:
                connection.execute(
                    insert(Tenant.__table__), [{"id": TENANT, "created_at": datetime.now(UTC)}]
                )
        yield engines
    finally:
        for _, engine in engines:
            engine.dispose()
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            admin.dispose()
        folder.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    chooser = random.Random(7)
    print(
        f"synthetic tenant: {MENTEES} mentees, {MENTORS} mentors, {COHORTS} cohorts, "
        f"{DAYS} days; 0-3 themes a note; medians of {args.repeat} runs, monthly, two years"
    )
    print(
        f"{'database':<11}{'notes':>10}  {'scope':<7}{'bare SQL ms':>12}{'trends ms':>11}"
        f"{'ratio':>8}"
    )
    with databases(args.skip_postgres) as engines:
        for label, engine in engines:
            loaded = 0
            for size in sorted(args.sizes):
                seconds = load(engine, loaded + 1, size - loaded, chooser)
                loaded = size
                figures = measure(engine, args.repeat)
                for scope in ("mentee", "tenant"):
                    bare, trends = figures[f"bare {scope}"], figures[f"trends {scope}"]
                    print(
                        f"{label:<11}{size:>10,}  {scope:<7}{bare:>12.2f}{trends:>11.2f}"
                        f"{trends / bare:>7.2f}x"
                    )
                print(f"{'':<11}{'':>10}  (loaded in {seconds:.0f} s)")


if __name__ == "__main__":
    main()
