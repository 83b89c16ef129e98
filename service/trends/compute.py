"""Theme trends for a scope: per-period counts and shares from the rollup tables, a summary
of the latest window against the one before, plain-language lines with example notes, and
theme co-occurrence. Only the example notes and the last few sessions (for dormancy) are
read from the notes table, by indexed queries with small limits."""

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from service.auth.keys import Principal
from service.errors import FieldProblem, InvalidInput
from service.trends.counting import Counts, count, latest_day, small_weeks
from service.trends.direction import DEFAULT_RULE, TrendRule
from service.trends.periods import (
    EARLIEST,
    LATEST,
    Interval,
    label,
    period_end,
    shift,
    starts_between,
)
from service.trends.results import PeriodCounts, TrendQuery, Trends
from service.trends.scope import Scope, resolve_scope
from service.trends.summary import summarise

MAX_PERIODS = 260
DEFAULT_PERIODS = 12


def compute(
    session: Session,
    principal: Principal,
    query: TrendQuery,
    *,
    themes: Sequence[str],
    min_group: int,
    rule: TrendRule = DEFAULT_RULE,
) -> Trends:
    """The trends of the scope the query names, as far as the principal may see it."""
    scope = resolve_scope(principal, query.scope, query.scope_id)
    starts = _period_starts(session, scope, query)
    counts = count(session, scope, query.interval, starts[0], starts[-1])
    periods = _periods(session, scope, counts, starts, query.interval, themes, min_group)
    trends = Trends(
        scope=query.scope,
        scope_id=query.scope_id if scope.kind != "tenant" else "",
        interval=query.interval,
        first=starts[0],
        last=period_end(starts[-1], query.interval),
        themes=list(themes),
        min_group=min_group if scope.grouped else None,
        periods=periods,
    )
    _co_occurrence(trends, counts, periods)
    trends.model_versions = _versions(counts, periods)
    summarise(session, scope, trends, query, rule)
    return trends


def _period_starts(session: Session, scope: Scope, query: TrendQuery) -> list[date]:
    """The starts of the periods asked for; by default the last ``DEFAULT_PERIODS`` up to
    the scope's latest note."""
    for name, value in (("query.from", query.date_from), ("query.to", query.date_to)):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise InvalidInput([FieldProblem(name, f"must be between {EARLIEST} and {LATEST}")])
    latest = latest_day(session, scope) or date.today()
    if query.date_to is None and query.date_from is not None:
        latest = max(latest, query.date_from)
    last = query.date_to or latest
    first = query.date_from or max(EARLIEST, shift(last, query.interval, -(DEFAULT_PERIODS - 1)))
    if first > last:
        raise InvalidInput([FieldProblem("query.from", "is after query.to")])
    starts = starts_between(first, last, query.interval)
    if len(starts) > MAX_PERIODS:
        problem = f"the range spans {len(starts)} periods; at most {MAX_PERIODS}"
        raise InvalidInput([FieldProblem("query.from", problem)])
    return starts


def _periods(
    session: Session,
    scope: Scope,
    counts: Counts,
    starts: list[date],
    interval: Interval,
    themes: Sequence[str],
    min_group: int,
) -> list[PeriodCounts]:
    """One row per period; a wide scope's periods with too few mentees are suppressed."""
    hidden_weeks = (
        small_weeks(session, scope, starts[0], starts[-1], interval, min_group)
        if scope.grouped and interval is not Interval.WEEK
        else []
    )
    periods = []
    for start in starts:
        notes, mentees = counts.totals.get(start, (0, 0))
        end = period_end(start, interval)
        # A month whose small week is hidden would give that week away by subtraction
        # from the month's other weeks, so it is hidden too.
        inside = any(week <= end and week + timedelta(days=6) >= start for week in hidden_weeks)
        suppressed = scope.grouped and (0 < mentees < min_group or inside)
        periods.append(
            PeriodCounts(
                start=start,
                end=end,
                label=label(start, interval),
                n=notes,
                mentees=mentees if scope.grouped else None,
                suppressed=suppressed,
                reason=f"fewer than {min_group} distinct mentees in this period"
                if suppressed
                else None,
                counts={t: counts.themes.get(start, {}).get(t, 0) for t in themes},
            )
        )
    return periods


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
