"""The two ways of counting a scope's notes per period: rollup rows for a wide scope
(cohort, tenant), indexed SQL counts over the notes for a narrow one."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from service.storage.tables import Note, NoteTheme, TrendPair, TrendPeriod, TrendTheme, TrendVersion
from service.trends.periods import (
    Interval,
    period_end,
    period_start,
)
from service.trends.rollups import GROUP_SCOPES
from service.trends.scope import rollup_key, scope_filter


@dataclass
class Counts:
    """Per period start: notes and distinct mentees, notes per theme, notes per theme pair."""

    totals: dict[date, tuple[int, int]] = field(default_factory=dict)
    themes: dict[date, dict[str, int]] = field(default_factory=dict)
    pairs: dict[date, dict[tuple[str, str], int]] = field(default_factory=dict)
    versions: dict[date, dict[str, int]] = field(default_factory=dict)


def latest_day(session: Session, tenant_id: str, kind: str, scope_id: str) -> date | None:
    if kind in GROUP_SCOPES:
        return session.scalar(
            select(func.max(TrendPeriod.period_start)).where(
                TrendPeriod.tenant_id == tenant_id,
                TrendPeriod.scope_kind == kind,
                TrendPeriod.scope_id == scope_id,
            )
        )
    return session.scalar(
        select(func.max(Note.session_date)).where(scope_filter(tenant_id, kind, scope_id))
    )


def small_weeks(
    session: Session, tenant_id: str, kind: str, scope_id: str, first: date, last: date,
    interval: Interval, min_group: int,
) -> list[date]:  # fmt: skip
    """Starts of the weeks overlapping the range with too few distinct mentees to show."""
    key = rollup_key(
        TrendPeriod, tenant_id, kind, scope_id, Interval.WEEK,
        first - timedelta(days=6), period_end(last, interval),
    )  # fmt: skip
    return list(
        session.scalars(
            select(TrendPeriod.period_start).where(
                key, TrendPeriod.mentees > 0, TrendPeriod.mentees < min_group
            )
        )
    )


def from_rollups(session: Session, where: tuple[str, str, str, Interval, date, date]) -> Counts:
    """A wide scope (cohort, tenant): a few rollup rows per period."""
    counts = Counts()
    for start, notes, mentees in session.execute(
        select(TrendPeriod.period_start, TrendPeriod.notes, TrendPeriod.mentees).where(
            rollup_key(TrendPeriod, *where)
        )
    ):
        counts.totals[start] = (notes, mentees)
    for start, theme, notes in session.execute(
        select(TrendTheme.period_start, TrendTheme.theme, TrendTheme.notes).where(
            rollup_key(TrendTheme, *where)
        )
    ):
        counts.themes.setdefault(start, {})[theme] = notes
    for start, first, second, notes in session.execute(
        select(TrendPair.period_start, TrendPair.theme_a, TrendPair.theme_b, TrendPair.notes).where(
            rollup_key(TrendPair, *where)
        )
    ):
        counts.pairs.setdefault(start, {})[(first, second)] = notes
    for start, version, notes in session.execute(
        select(TrendVersion.period_start, TrendVersion.model_version, TrendVersion.notes).where(
            rollup_key(TrendVersion, *where)
        )
    ):
        counts.versions.setdefault(start, {})[version] = notes
    return counts


def from_notes(
    session: Session, tenant_id: str, kind: str, scope_id: str, interval: Interval,
    first: date, last: date,
) -> Counts:  # fmt: skip
    """A narrow scope (a mentee, a mentor, a mentor's mentee): SQL counts per day over the
    scope's own index, folded into periods here (days are few; the SQL stays portable)."""
    scope = and_(scope_filter(tenant_id, kind, scope_id), Note.session_date.between(first, last))
    counts = Counts()
    for day, notes in session.execute(
        select(Note.session_date, func.count()).where(scope).group_by(Note.session_date)
    ):
        start = period_start(day, interval)
        total = counts.totals.get(start, (0, 0))[0]
        counts.totals[start] = (total + notes, 0)
    for day, version, notes in session.execute(
        select(Note.session_date, Note.model_version, func.count())
        .where(scope)
        .group_by(Note.session_date, Note.model_version)
    ):
        versions = counts.versions.setdefault(period_start(day, interval), {})
        versions[version] = versions.get(version, 0) + notes
    for day, theme, notes in session.execute(
        select(Note.session_date, NoteTheme.theme, func.count())
        .join(NoteTheme, NoteTheme.note_seq == Note.seq)
        .where(scope)
        .group_by(Note.session_date, NoteTheme.theme)
    ):
        bucket = counts.themes.setdefault(period_start(day, interval), {})
        bucket[theme] = bucket.get(theme, 0) + notes
    second = aliased(NoteTheme)
    for day, theme_a, theme_b, notes in session.execute(
        select(Note.session_date, NoteTheme.theme, second.theme, func.count())
        .join(NoteTheme, NoteTheme.note_seq == Note.seq)
        .join(second, and_(second.note_seq == Note.seq, second.theme > NoteTheme.theme))
        .where(scope)
        .group_by(Note.session_date, NoteTheme.theme, second.theme)
    ):
        pairs = counts.pairs.setdefault(period_start(day, interval), {})
        pairs[(theme_a, theme_b)] = pairs.get((theme_a, theme_b), 0) + notes
    return counts
