"""Rollup tables: per tenant, scope, period and theme, how many notes. Every note write and
deletion updates them in the same transaction, so a trend over a whole tenant or cohort
reads a few rows per period instead of scanning its notes.

Only the wide scopes are rolled up: the tenant (id "") and each cohort. A mentee's or a
mentor's notes are few and indexed, so their trends are counted from the notes directly;
rolling them up too would make the rollups as large as the notes (a weekly row per mentee)
and every write several times dearer."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.storage.note_themes import themes_of
from service.storage.tables import (
    Note,
    TrendMentee,
    TrendPair,
    TrendPeriod,
    TrendTheme,
    TrendVersion,
)
from service.trends.periods import Interval, period_start

# Scopes whose small groups are suppressed, so their distinct mentees are counted.
GROUP_SCOPES = ("cohort", "tenant")
KEY_COLUMNS = ("tenant_id", "scope_kind", "scope_id", "period_kind", "period_start")

Key = tuple[str, str, str, str, date]
PERIODS = cast(Table, TrendPeriod.__table__)
THEMES = cast(Table, TrendTheme.__table__)
PAIRS = cast(Table, TrendPair.__table__)
MENTEES = cast(Table, TrendMentee.__table__)
VERSIONS = cast(Table, TrendVersion.__table__)
ALL_TABLES = (PERIODS, THEMES, PAIRS, MENTEES, VERSIONS)
REBUILD_BATCH = 5_000


@dataclass(frozen=True)
class RollupNote:
    """What the rollups need of a note."""

    tenant_id: str
    mentee_id: str
    mentor_id: str | None
    cohort: str | None
    session_date: date
    themes: tuple[str, ...]
    model_version: str


# The columns of ``notes`` a rollup needs (besides the themes).
ROLLUP_COLUMNS = (
    Note.tenant_id,
    Note.mentee_id,
    Note.mentor_id,
    Note.cohort,
    Note.session_date,
    Note.model_version,
)


def rollup_note(note: Any, themes: Iterable[str], model_version: str | None = None) -> RollupNote:
    """What the rollups count of a note (a row or object with ``ROLLUP_COLUMNS``), with
    ``themes`` and, when given, another model version than the note's."""
    return RollupNote(
        tenant_id=note.tenant_id,
        mentee_id=note.mentee_id,
        mentor_id=note.mentor_id,
        cohort=note.cohort,
        session_date=note.session_date,
        themes=tuple(themes),
        model_version=model_version or note.model_version,
    )


def scopes_of(note: RollupNote) -> list[tuple[str, str]]:
    scopes = [("tenant", "")]
    if note.cohort is not None:
        scopes.append(("cohort", note.cohort))
    return scopes


@dataclass
class Tally:
    """Changes to every rollup table, by row key."""

    periods: Counter[Key] = field(default_factory=Counter)
    themes: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    pairs: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    mentees: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    versions: Counter[tuple[Any, ...]] = field(default_factory=Counter)

    def count(self, notes: Iterable[RollupNote], sign: int) -> "Tally":
        for note in notes:
            distinct = sorted(set(note.themes))
            for interval in Interval:
                start = period_start(note.session_date, interval)
                for kind, scope_id in scopes_of(note):
                    key: Key = (note.tenant_id, kind, scope_id, interval.value, start)
                    self.periods[key] += sign
                    for theme in distinct:
                        self.themes[(*key, theme)] += sign
                    for first, second in combinations(distinct, 2):
                        self.pairs[(*key, first, second)] += sign
                    self.mentees[(*key, note.mentee_id)] += sign
                    self.versions[(*key, note.model_version)] += sign
        return self


def apply(session: Session, notes: Iterable[RollupNote], sign: int) -> None:
    """Add (sign=1) or remove (sign=-1) notes from every rollup they count in."""
    tally = Tally().count(notes, sign)
    _add(session, PERIODS, tally.periods, ())
    _add_labels(session, tally)
    _add(session, MENTEES, tally.mentees, ("mentee_id",))
    if sign < 0:
        _drop_empty(session, MENTEES, tally.mentees, ("mentee_id",))
    _recount_mentees(session, sorted(key for key in tally.periods if key[1] in GROUP_SCOPES))
    if sign < 0:
        _drop_empty(session, PERIODS, tally.periods, ())


def relabel(session: Session, before: Sequence[RollupNote], after: Sequence[RollupNote]) -> None:
    """Move notes whose themes or model version changed (nothing else: same tenant, mentee,
    cohort and date) from their old theme, pair and version rows to the new ones. Note and
    mentee counts stay as they are, which spares the distinct-mentee recount that makes a
    full remove-and-add several times dearer."""
    tally = Tally().count(before, -1).count(after, 1)
    _add_labels(session, tally)


def _add_labels(session: Session, tally: Tally) -> None:
    for table, counts, extra in (
        (THEMES, tally.themes, ("theme",)),
        (PAIRS, tally.pairs, ("theme_a", "theme_b")),
        (VERSIONS, tally.versions, ("model_version",)),
    ):
        _add(session, table, counts, extra)
        if any(value < 0 for value in counts.values()):
            _drop_empty(session, table, +(-counts), extra)


def _rows(counts: Counter[Any], extra: Sequence[str]) -> list[dict[str, Any]]:
    # Sorted keys: every transaction locks rollup rows in the same order, so two writers
    # (workers, or a deletion beside an insert) cannot deadlock on PostgreSQL.
    names = (*KEY_COLUMNS, *extra)
    return [
        dict(zip(names, key, strict=True)) | {"notes": counts[key]}
        for key in sorted(counts)
        if counts[key]
    ]


def _add(session: Session, table: Table, counts: Counter[Any], extra: Sequence[str]) -> None:
    rows = _rows(counts, extra)
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    values = {"notes": table.c.notes + statement.excluded.notes}
    if table is PERIODS:
        rows = [row | {"mentees": 0} for row in rows]
    statement = statement.on_conflict_do_update(index_elements=[*KEY_COLUMNS, *extra], set_=values)
    session.execute(statement, rows)


def _key_matches(table: Table, names: Sequence[str]) -> Any:
    return and_(*(table.c[name] == bindparam(f"k_{name}") for name in names))


def _drop_empty(session: Session, table: Table, counts: Counter[Any], extra: Sequence[str]) -> None:
    names = (*KEY_COLUMNS, *extra)
    keys = [
        {f"k_{name}": value for name, value in zip(names, key, strict=True)}
        for key in sorted(counts)
    ]
    if keys:
        statement = delete(table).where(_key_matches(table, names), table.c.notes <= 0)
        session.execute(statement, keys)


def _recount_mentees(session: Session, keys: Sequence[Key]) -> None:
    if not keys:
        return
    count = (
        select(func.count())
        .select_from(MENTEES)
        .where(_key_matches(MENTEES, KEY_COLUMNS))
        .scalar_subquery()
    )
    # Core, not ORM: a list of parameters would make an ORM update a bulk update by key.
    statement = PERIODS.update().where(_key_matches(PERIODS, KEY_COLUMNS)).values(mentees=count)
    names = [f"k_{name}" for name in KEY_COLUMNS]
    session.connection().execute(statement, [dict(zip(names, key, strict=True)) for key in keys])


def rebuild(session: Session) -> None:
    """Empty every rollup table and count all stored notes again, in batches.

    Migrations that change what the rollups hold call this last. It reads only the columns
    the rollups need, so it keeps working as later revisions add columns to ``notes``; an
    earlier migration must not fill rollups itself, because this code is the current one."""
    for table in ALL_TABLES:
        session.execute(delete(table))
    last = 0
    while True:
        rows = session.execute(
            select(Note.seq, *ROLLUP_COLUMNS)
            .where(Note.seq > last)
            .order_by(Note.seq)
            .limit(REBUILD_BATCH)
        ).all()
        if not rows:
            return
        themes = themes_of(session, [row.seq for row in rows])
        apply(session, [rollup_note(row, themes.get(row.seq, ())) for row in rows], 1)
        last = rows[-1].seq
