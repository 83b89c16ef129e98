"""The few notes-table reads the summary needs: earlier mentions, the last sessions and
example notes, each an indexed query with a small limit."""

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.storage.note_themes import themes_of
from service.storage.tables import Note, NoteTheme, TrendTheme
from service.trends.periods import EARLIEST, Interval
from service.trends.results import PeriodCounts
from service.trends.scope import Scope

EXAMPLE_POOL = 500


def seen_before(
    session: Session, scope: Scope, theme: str, before: date, interval: Interval
) -> bool:
    """Whether the theme came up in the scope before the range (so it is not new)."""
    if scope.grouped:
        key = scope.rollup_rows(TrendTheme, interval, EARLIEST, before - timedelta(days=1))
        query = select(TrendTheme.notes).where(key, TrendTheme.theme == theme)
    else:
        query = (
            select(Note.seq)
            .join(NoteTheme, NoteTheme.note_seq == Note.seq)
            .where(scope.notes(), Note.session_date < before, NoteTheme.theme == theme)
        )
    return session.scalar(query.limit(1)) is not None


def last_sessions(session: Session, scope: Scope, k: int, until: date) -> list[set[str]]:
    """The themes of the scope's last ``k`` notes up to ``until``, newest first."""
    seqs = session.scalars(
        select(Note.seq)
        .where(scope.notes(), Note.session_date <= until)
        .order_by(Note.session_date.desc(), Note.seq.desc())
        .limit(k)
    ).all()
    themes = themes_of(session, seqs)
    return [set(themes.get(seq, ())) for seq in seqs]


def examples(
    session: Session,
    scope: Scope,
    theme: str,
    *,
    first: date,
    last: date,
    hidden: Sequence[PeriodCounts],
) -> list[str]:
    """Up to three notes of the scope and dates whose evidence for ``theme`` scores highest,
    among the scope's latest ``EXAMPLE_POOL`` notes with the theme in those dates (a wide
    scope may hold hundreds of thousands; ranking them all would cost a scan). Notes of
    suppressed periods are never examples."""
    pool = (
        select(Note.seq)
        .join(NoteTheme, NoteTheme.note_seq == Note.seq)
        .where(
            scope.notes(),
            Note.session_date.between(first, last),
            NoteTheme.theme == theme,
            *(~Note.session_date.between(p.start, p.end) for p in hidden),
        )
        .order_by(Note.session_date.desc(), Note.seq.desc())
        .limit(EXAMPLE_POOL)
        .subquery()
    )
    return list(
        session.scalars(
            select(Note.id)
            .join(NoteTheme, NoteTheme.note_seq == Note.seq)
            .where(Note.seq.in_(select(pool.c.seq)), NoteTheme.theme == theme)
            .order_by(NoteTheme.score.desc(), Note.seq)
            .limit(3)
        )
    )
