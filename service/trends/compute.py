"""Theme trends for a scope: per-period counts and shares from the rollup tables, a summary
of the latest window against the one before, plain-language lines with example notes, and
theme co-occurrence. Only the example notes and the last few sessions (for dormancy) are
read from the notes table, by indexed queries with small limits."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from scipy.stats import fisher_exact
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, aliased

from service.auth.keys import Principal
from service.errors import FieldProblem, Forbidden, InvalidInput
from service.storage.tables import Note, NoteTheme, TrendPair, TrendPeriod, TrendTheme, TrendVersion
from service.trends.periods import (
    Interval,
    label,
    period_end,
    period_start,
    shift,
    span_label,
    starts_between,
)
from service.trends.rollups import GROUP_SCOPES

SCOPES = ("mentee", "mentor", "cohort", "tenant")
MAX_PERIODS = 260
DEFAULT_PERIODS = 12
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
EXAMPLE_POOL = 500


@dataclass(frozen=True)
class TrendRule:
    """When a change between two windows is called a trend (documented in the README)."""

    alpha: float = 0.10  # two-sided Fisher exact test
    min_notes: int = 3  # notes in each window
    min_theme_notes: int = 2  # notes carrying the theme in the higher window
    dormant_after: int = 3  # sessions without the theme


@dataclass(frozen=True)
class TrendQuery:
    scope: str
    scope_id: str
    interval: Interval
    date_from: date | None = None
    date_to: date | None = None
    window: int = 1


@dataclass
class PeriodCounts:
    start: date
    end: date
    label: str
    n: int
    mentees: int | None
    suppressed: bool
    reason: str | None
    counts: dict[str, int]


@dataclass
class WindowCounts:
    first: date
    last: date
    label: str
    n: int
    counts: dict[str, int]


@dataclass
class ThemeSummary:
    theme: str
    latest: int
    previous: int
    direction: str  # rising, falling, steady
    p_value: float | None
    new: bool
    dormant: bool


@dataclass
class SummaryLine:
    text: str
    theme: str
    kind: str  # rising, falling, new, dormant
    note_ids: list[str]


@dataclass
class Trends:
    scope: str
    scope_id: str
    interval: Interval
    first: date
    last: date
    themes: list[str]
    min_group: int | None
    periods: list[PeriodCounts]
    latest: WindowCounts | None = None
    previous: WindowCounts | None = None
    summary: list[ThemeSummary] = field(default_factory=list)
    lines: list[SummaryLine] = field(default_factory=list)
    summary_withheld: str | None = None
    co_occurrence: list[tuple[str, str, int]] = field(default_factory=list)
    co_occurrence_n: int = 0
    model_versions: dict[str, int] = field(default_factory=dict)

    @property
    def versions_note(self) -> str | None:
        """Says so when the notes shown were tagged by more than one model."""
        if len(self.model_versions) < 2:
            return None
        parts = ", ".join(f"{version}: {n}" for version, n in self.model_versions.items())
        return (
            f"These notes were tagged by {len(self.model_versions)} model versions ({parts}); "
            "shares from different models may not be comparable. "
            "`mentor-themes retag` tags them all with the active model."
        )


def pair_id(mentor_id: str, mentee_id: str) -> str:
    """The scope id of a mentor's mentee; JSON, so no separator can collide."""
    return json.dumps([mentor_id, mentee_id], ensure_ascii=False)


def resolve_scope(principal: Principal, scope: str, scope_id: str) -> tuple[str, str]:
    """The rollup scope a caller may read: a mentor-bound key sees a mentee only through
    its own sessions (the mentor-mentee pair) and cannot read cohort or tenant trends."""
    if scope not in SCOPES:
        raise InvalidInput([FieldProblem("query.scope", f"must be one of {', '.join(SCOPES)}")])
    mentor = principal.mentor_id
    if scope == "tenant" and mentor is None:
        return "tenant", ""
    if not scope_id and scope != "tenant":
        raise InvalidInput([FieldProblem("query.id", f"is required for scope {scope}")])
    if mentor is None:
        return scope, scope_id
    if scope == "mentee":
        return "pair", pair_id(mentor, scope_id)
    if scope == "mentor" and scope_id == mentor:
        return "mentor", scope_id
    raise Forbidden(f"a key bound to mentor {mentor!r} sees only that mentor's mentees' trends")


def _rollup_key(table: type[TrendPeriod] | type[TrendTheme] | type[TrendPair] | type[TrendVersion],
                tenant_id: str, kind: str, scope_id: str, interval: Interval,
                first: date, last: date) -> ColumnElement[bool]:  # fmt: skip
    return and_(
        table.tenant_id == tenant_id,
        table.scope_kind == kind,
        table.scope_id == scope_id,
        table.period_kind == interval.value,
        table.period_start.between(first, last),
    )


@dataclass
class Counts:
    """Per period start: notes and distinct mentees, notes per theme, notes per theme pair."""

    totals: dict[date, tuple[int, int]] = field(default_factory=dict)
    themes: dict[date, dict[str, int]] = field(default_factory=dict)
    pairs: dict[date, dict[tuple[str, str], int]] = field(default_factory=dict)
    versions: dict[date, dict[str, int]] = field(default_factory=dict)


def _latest_day(session: Session, tenant_id: str, kind: str, scope_id: str) -> date | None:
    if kind in GROUP_SCOPES:
        return session.scalar(
            select(func.max(TrendPeriod.period_start)).where(
                TrendPeriod.tenant_id == tenant_id,
                TrendPeriod.scope_kind == kind,
                TrendPeriod.scope_id == scope_id,
            )
        )
    return session.scalar(
        select(func.max(Note.session_date)).where(_scope_filter(tenant_id, kind, scope_id))
    )


def _default_range(
    session: Session, tenant_id: str, kind: str, scope_id: str, query: TrendQuery
) -> tuple[date, date]:
    for name, value in (("query.from", query.date_from), ("query.to", query.date_to)):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise InvalidInput([FieldProblem(name, f"must be between {EARLIEST} and {LATEST}")])
    latest = _latest_day(session, tenant_id, kind, scope_id) or date.today()
    if query.date_to is None and query.date_from is not None:
        latest = max(latest, query.date_from)
    last = query.date_to or latest
    first = query.date_from or max(EARLIEST, shift(last, query.interval, -(DEFAULT_PERIODS - 1)))
    if first > last:
        raise InvalidInput([FieldProblem("query.from", "is after query.to")])
    return first, last


def _small_weeks(
    session: Session, tenant_id: str, kind: str, scope_id: str, first: date, last: date,
    interval: Interval, min_group: int,
) -> list[date]:  # fmt: skip
    """Starts of the weeks overlapping the range with too few distinct mentees to show."""
    key = _rollup_key(
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


def _from_rollups(session: Session, where: tuple[str, str, str, Interval, date, date]) -> Counts:
    """A wide scope (cohort, tenant): a few rollup rows per period."""
    counts = Counts()
    for start, notes, mentees in session.execute(
        select(TrendPeriod.period_start, TrendPeriod.notes, TrendPeriod.mentees).where(
            _rollup_key(TrendPeriod, *where)
        )
    ):
        counts.totals[start] = (notes, mentees)
    for start, theme, notes in session.execute(
        select(TrendTheme.period_start, TrendTheme.theme, TrendTheme.notes).where(
            _rollup_key(TrendTheme, *where)
        )
    ):
        counts.themes.setdefault(start, {})[theme] = notes
    for start, first, second, notes in session.execute(
        select(TrendPair.period_start, TrendPair.theme_a, TrendPair.theme_b, TrendPair.notes).where(
            _rollup_key(TrendPair, *where)
        )
    ):
        counts.pairs.setdefault(start, {})[(first, second)] = notes
    for start, version, notes in session.execute(
        select(TrendVersion.period_start, TrendVersion.model_version, TrendVersion.notes).where(
            _rollup_key(TrendVersion, *where)
        )
    ):
        counts.versions.setdefault(start, {})[version] = notes
    return counts


def _from_notes(
    session: Session, tenant_id: str, kind: str, scope_id: str, interval: Interval,
    first: date, last: date,
) -> Counts:  # fmt: skip
    """A narrow scope (a mentee, a mentor, a mentor's mentee): SQL counts per day over the
    scope's own index, folded into periods here (days are few; the SQL stays portable)."""
    scope = and_(_scope_filter(tenant_id, kind, scope_id), Note.session_date.between(first, last))
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


def compute(
    session: Session,
    principal: Principal,
    query: TrendQuery,
    *,
    themes: Sequence[str],
    min_group: int,
    rule: TrendRule = TrendRule(),
) -> Trends:
    kind, scope_id = resolve_scope(principal, query.scope, query.scope_id)
    tenant = principal.tenant_id
    first, last = _default_range(session, tenant, kind, scope_id, query)
    starts = starts_between(first, last, query.interval)
    if len(starts) > MAX_PERIODS:
        problem = f"the range spans {len(starts)} periods; at most {MAX_PERIODS}"
        raise InvalidInput([FieldProblem("query.from", problem)])
    grouped = kind in GROUP_SCOPES
    if grouped:
        counts = _from_rollups(
            session, (tenant, kind, scope_id, query.interval, starts[0], starts[-1])
        )
    else:
        end = period_end(starts[-1], query.interval)
        counts = _from_notes(session, tenant, kind, scope_id, query.interval, starts[0], end)
    small_weeks = (
        _small_weeks(
            session, tenant, kind, scope_id, starts[0], starts[-1], query.interval, min_group
        )
        if grouped and query.interval is not Interval.WEEK
        else []
    )
    periods = []
    for start in starts:
        notes, mentees = counts.totals.get(start, (0, 0))
        end = period_end(start, query.interval)
        # A month whose small week is hidden would give that week away by subtraction
        # from the month's other weeks, so it is hidden too.
        inside = any(week <= end and week + timedelta(days=6) >= start for week in small_weeks)
        suppressed = grouped and (0 < mentees < min_group or inside)
        periods.append(
            PeriodCounts(
                start=start,
                end=period_end(start, query.interval),
                label=label(start, query.interval),
                n=notes,
                mentees=mentees if grouped else None,
                suppressed=suppressed,
                reason=f"fewer than {min_group} distinct mentees in this period"
                if suppressed
                else None,
                counts={t: counts.themes.get(start, {}).get(t, 0) for t in themes},
            )
        )
    trends = Trends(
        scope=query.scope,
        scope_id=query.scope_id if kind != "tenant" else "",
        interval=query.interval,
        first=starts[0],
        last=period_end(starts[-1], query.interval),
        themes=list(themes),
        min_group=min_group if grouped else None,
        periods=periods,
    )
    _co_occurrence(trends, counts, periods)
    trends.model_versions = _versions(counts, periods)
    _summarise(session, principal, trends, query, kind, scope_id, rule)
    return trends


def _versions(counts: Counts, periods: list[PeriodCounts]) -> dict[str, int]:
    """Notes per model version over the periods shown (suppressed ones left out), most first."""
    total: dict[str, int] = {}
    for period in periods:
        if not period.suppressed:
            for version, notes in counts.versions.get(period.start, {}).items():
                total[version] = total.get(version, 0) + notes
    return dict(sorted(total.items(), key=lambda item: (-item[1], item[0])))


def _co_occurrence(trends: Trends, counts: Counts, periods: list[PeriodCounts]) -> None:
    shown = [p.start for p in periods if not p.suppressed]
    totals: dict[tuple[str, str], int] = {}
    for start in shown:
        for pair, notes in counts.pairs.get(start, {}).items():
            totals[pair] = totals.get(pair, 0) + notes
    trends.co_occurrence = sorted(
        ((a, b, n) for (a, b), n in totals.items()), key=lambda item: (-item[2], item[0], item[1])
    )
    trends.co_occurrence_n = sum(p.n for p in periods if not p.suppressed)


def _window(periods: list[PeriodCounts], interval: Interval, themes: Sequence[str]) -> WindowCounts:
    return WindowCounts(
        first=periods[0].start,
        last=periods[-1].end,
        label=span_label(periods[0].start, periods[-1].start, interval),
        n=sum(p.n for p in periods),
        counts={t: sum(p.counts[t] for p in periods) for t in themes},
    )


def direction(a1: int, n1: int, a0: int, n0: int, rule: TrendRule) -> tuple[str, float | None]:
    """Rising, falling or steady: a two-sided Fisher exact test on the 2x2 table of notes
    with and without the theme in each window, once both windows have ``min_notes`` notes
    and the higher one ``min_theme_notes`` notes with the theme."""
    if n1 < rule.min_notes or n0 < rule.min_notes or max(a1, a0) < rule.min_theme_notes:
        return "steady", None
    p_value = float(fisher_exact([[a1, n1 - a1], [a0, n0 - a0]]).pvalue)
    if p_value >= rule.alpha or a1 / n1 == a0 / n0:
        return "steady", p_value
    return ("rising" if a1 / n1 > a0 / n0 else "falling"), p_value


def _summarise(
    session: Session,
    principal: Principal,
    trends: Trends,
    query: TrendQuery,
    kind: str,
    scope_id: str,
    rule: TrendRule,
) -> None:
    window = max(1, query.window)
    periods = trends.periods
    if len(periods) < 2 * window:
        trends.summary_withheld = f"the range needs at least {2 * window} periods to compare"
        return
    compared = periods[-2 * window :]
    if any(p.suppressed for p in compared):
        trends.summary_withheld = "a compared period has too few distinct mentees to show"
        return
    latest = _window(compared[window:], query.interval, trends.themes)
    previous = _window(compared[:window], query.interval, trends.themes)
    before = periods[:-window]
    trends.latest, trends.previous = latest, previous
    in_range = {t: sum(p.counts[t] for p in periods if not p.suppressed) for t in trends.themes}
    # One person's last few sessions say something; a group's last three are noise, so a
    # group theme is dormant when it is absent from the whole latest window (from counts).
    individual = kind in ("mentee", "pair")
    k = rule.dormant_after if individual else latest.n
    recent = (
        _last_sessions(session, principal.tenant_id, kind, scope_id, k, trends.last)
        if individual
        else []
    )
    for theme in trends.themes:
        a1, a0 = latest.counts[theme], previous.counts[theme]
        way, p_value = direction(a1, latest.n, a0, previous.n, rule)
        new = (
            a1 > 0
            and not any(p.suppressed for p in before)
            and all(p.counts[theme] == 0 for p in before)
            and not _seen_before(
                session, principal.tenant_id, kind, scope_id, theme, trends.first, query.interval
            )  # fmt: skip
        )
        if individual:
            absent = len(recent) >= k and not any(theme in themes for themes in recent)
        else:
            absent = k >= rule.dormant_after and a1 == 0
        dormant = absent and in_range[theme] > 0
        trends.summary.append(ThemeSummary(theme, a1, a0, way, p_value, new, dormant))
        line = _line(theme, way, new, dormant, latest, previous, k, in_range[theme])
        if line is not None:
            text, what, first, last = line
            if what == "dormant":
                first = trends.first
            hidden = [p for p in periods if p.suppressed]
            ids = _examples(
                session, principal.tenant_id, kind, scope_id, theme, first, last, hidden
            )
            trends.lines.append(SummaryLine(text, theme, what, ids))


def _line(
    theme: str,
    way: str,
    new: bool,
    dormant: bool,
    latest: WindowCounts,
    previous: WindowCounts,
    sessions: int,
    in_range: int,
) -> tuple[str, str, date, date] | None:
    name = theme.capitalize()
    a1, a0 = latest.counts[theme], previous.counts[theme]
    if way in ("rising", "falling"):
        change = "up" if way == "rising" else "down"
        text = (
            f"{name} came up in {a1} of {latest.n} sessions in {latest.label}, "
            f"{change} from {a0} of {previous.n} in {previous.label}."
        )
        # Examples from where the theme was more common: the latest window if it rose.
        shown = latest if way == "rising" else previous
        return text, way, shown.first, shown.last
    if new:
        return (
            f"{name} came up for the first time in {latest.label} ({a1} of {latest.n} sessions).",
            "new",
            latest.first,
            latest.last,
        )
    if dormant:
        return (
            f"{name} has not come up in the last {sessions} sessions, "
            f"after {in_range} earlier in the range.",
            "dormant",
            previous.first,
            latest.last,
        )
    return None


def _seen_before(
    session: Session, tenant_id: str, kind: str, scope_id: str, theme: str, before: date,
    interval: Interval,
) -> bool:  # fmt: skip
    """Whether the theme came up in the scope before the range (so it is not new)."""
    if kind in GROUP_SCOPES:
        key = _rollup_key(
            TrendTheme, tenant_id, kind, scope_id, interval, EARLIEST, before - timedelta(days=1)
        )
        query = select(TrendTheme.notes).where(key, TrendTheme.theme == theme)
    else:
        query = (
            select(Note.seq)
            .join(NoteTheme, NoteTheme.note_seq == Note.seq)
            .where(
                _scope_filter(tenant_id, kind, scope_id),
                Note.session_date < before,
                NoteTheme.theme == theme,
            )
        )
    return session.scalar(query.limit(1)) is not None


def _scope_filter(tenant_id: str, kind: str, scope_id: str) -> ColumnElement[bool]:
    condition = Note.tenant_id == tenant_id
    if kind == "mentee":
        return and_(condition, Note.mentee_id == scope_id)
    if kind == "mentor":
        return and_(condition, Note.mentor_id == scope_id)
    if kind == "cohort":
        return and_(condition, Note.cohort == scope_id)
    if kind == "pair":
        mentor, mentee = json.loads(scope_id)
        return and_(condition, Note.mentor_id == mentor, Note.mentee_id == mentee)
    return condition


def _last_sessions(
    session: Session, tenant_id: str, kind: str, scope_id: str, k: int, until: date
) -> list[set[str]]:
    """The themes of the scope's last ``k`` notes up to ``until``, newest first."""
    seqs = session.scalars(
        select(Note.seq)
        .where(_scope_filter(tenant_id, kind, scope_id), Note.session_date <= until)
        .order_by(Note.session_date.desc(), Note.seq.desc())
        .limit(k)
    ).all()
    themes: dict[int, set[str]] = {seq: set() for seq in seqs}
    if seqs:
        for seq, theme in session.execute(
            select(NoteTheme.note_seq, NoteTheme.theme).where(NoteTheme.note_seq.in_(seqs))
        ):
            themes[seq].add(theme)
    return [themes[seq] for seq in seqs]


def _examples(
    session: Session, tenant_id: str, kind: str, scope_id: str, theme: str, first: date,
    last: date, hidden: Sequence[PeriodCounts],
) -> list[str]:  # fmt: skip
    """Up to three notes of the scope and dates whose evidence for ``theme`` scores highest,
    among the scope's latest ``EXAMPLE_POOL`` notes with the theme in those dates (a wide
    scope may hold hundreds of thousands; ranking them all would cost a scan). Notes of
    suppressed periods are never examples."""
    pool = (
        select(Note.seq)
        .join(NoteTheme, NoteTheme.note_seq == Note.seq)
        .where(
            _scope_filter(tenant_id, kind, scope_id),
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
