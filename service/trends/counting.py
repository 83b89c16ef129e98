"""The two ways of counting a scope's notes per period: rollup rows for a wide scope
(cohort, tenant), indexed SQL counts over the notes for a narrow one."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from service.storage.tables import Note, NoteTheme, TrendPair, TrendPeriod, TrendTheme, TrendVersion
from service.trends.periods import Interval, period_end, period_start
from service.trends.scope import Scope


@dataclass
class Counts:
    """Per period start: notes and distinct mentees, notes per theme, notes per theme pair."""

    totals: dict[date, tuple[int, int]] = field(default_factory=dict)
    themes: dict[date, dict[str, int]] = field(default_factory=dict)
    pairs: dict[date, dict[tuple[str, str], int]] = field(default_factory=dict)
    versions: dict[date, dict[str, int]] = field(default_factory=dict)


def latest_day(session: Session, scope: Scope) -> date | None:
    """The scope's latest session date (for a wide scope, the start of its latest period)."""
    if scope.grouped:
        return session.scalar(
            select(func.max(TrendPeriod.period_start)).where(
                TrendPeriod.tenant_id == scope.tenant_id,
                TrendPeriod.scope_kind == scope.kind,
                TrendPeriod.scope_id == scope.id,
            )
        )
    return session.scalar(select(func.max(Note.session_date)).where(scope.notes()))


def small_weeks(
    session: Session, scope: Scope, first: date, last: date, interval: Interval, min_group: int
) -> list[date]:
    """Starts of the weeks overlapping the range with too few distinct mentees to show."""
    key = scope.rollup_rows(
        TrendPeriod, Interval.WEEK, first - timedelta(days=6), period_end(last, interval)
    )
    return list(
        session.scalars(
            select(TrendPeriod.period_start).where(
                key, TrendPeriod.mentees > 0, TrendPeriod.mentees < min_group
            )
        )
    )


def from_rollups(
    session: Session, scope: Scope, interval: Interval, first: date, last: date
) -> Counts:
    """A wide scope (cohort, tenant): a few rollup rows per period."""
    counts = Counts()
    for start, notes, mentees in session.execute(
        select(TrendPeriod.period_start, TrendPeriod.notes, TrendPeriod.mentees).where(
            scope.rollup_rows(TrendPeriod, interval, first, last)
        )
    ):
        counts.totals[start] = (notes, mentees)
    for start, theme, notes in session.execute(
        select(TrendTheme.period_start, TrendTheme.theme, TrendTheme.notes).where(
            scope.rollup_rows(TrendTheme, interval, first, last)
        )
    ):
        counts.themes.setdefault(start, {})[theme] = notes
    for start, theme_a, theme_b, notes in session.execute(
        select(TrendPair.period_start, TrendPair.theme_a, TrendPair.theme_b, TrendPair.notes).where(
            scope.rollup_rows(TrendPair, interval, first, last)
        )
    ):
        counts.pairs.setdefault(start, {})[(theme_a, theme_b)] = notes
    for start, version, notes in session.execute(
        select(TrendVersion.period_start, TrendVersion.model_version, TrendVersion.notes).where(
            scope.rollup_rows(TrendVersion, interval, first, last)
        )
    ):
        counts.versions.setdefault(start, {})[version] = notes
    return counts


def from_notes(
    session: Session, scope: Scope, interval: Interval, first: date, last: date
) -> Counts:
    """A narrow scope (a mentee, a mentor, a mentor's mentee): SQL counts per day over the
    scope's own index, folded into periods here (days are few; the SQL stays portable)."""
    where = and_(scope.notes(), Note.session_date.between(first, last))
    counts = Counts()
    for day, notes in session.execute(
        select(Note.session_date, func.count()).where(where).group_by(Note.session_date)
    ):
        start = period_start(day, interval)
        total = counts.totals.get(start, (0, 0))[0]
        counts.totals[start] = (total + notes, 0)
    for day, version, notes in session.execute(
        select(Note.session_date, Note.model_version, func.count())
        .where(where)
        .group_by(Note.session_date, Note.model_version)
    ):
        versions = counts.versions.setdefault(period_start(day, interval), {})
        versions[version] = versions.get(version, 0) + notes
    for day, theme, notes in session.execute(
        select(Note.session_date, NoteTheme.theme, func.count())
        .join(NoteTheme, NoteTheme.note_seq == Note.seq)
        .where(where)
        .group_by(Note.session_date, NoteTheme.theme)
    ):
        bucket = counts.themes.setdefault(period_start(day, interval), {})
        bucket[theme] = bucket.get(theme, 0) + notes
    second = aliased(NoteTheme)
    for day, theme_a, theme_b, notes in session.execute(
        select(Note.session_date, NoteTheme.theme, second.theme, func.count())
        .join(NoteTheme, NoteTheme.note_seq == Note.seq)
        .join(second, and_(second.note_seq == Note.seq, second.theme > NoteTheme.theme))
        .where(where)
        .group_by(Note.session_date, NoteTheme.theme, second.theme)
    ):
        pairs = counts.pairs.setdefault(period_start(day, interval), {})
        pairs[(theme_a, theme_b)] = pairs.get((theme_a, theme_b), 0) + notes
    return counts


def count(session: Session, scope: Scope, interval: Interval, first: date, last: date) -> Counts:
    """The scope's counts per period start from ``first`` to the period starting ``last``."""
    if scope.grouped:
        return from_rollups(session, scope, interval, first, last)
    return from_notes(session, scope, interval, first, period_end(last, interval))
