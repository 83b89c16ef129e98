"""The latest window against the one before: direction, new and dormant themes per theme,
and a summary line with example notes for each that changed."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from service.trends.direction import TrendRule, direction
from service.trends.lookups import examples, last_sessions, seen_before
from service.trends.periods import Interval, span_label
from service.trends.results import (
    PeriodCounts,
    SummaryLine,
    ThemeSummary,
    TrendQuery,
    Trends,
    WindowCounts,
)
from service.trends.scope import Scope
from service.trends.sentences import sentence


@dataclass(frozen=True)
class Comparison:
    """What every theme's summary is judged against."""

    latest: WindowCounts
    previous: WindowCounts
    before: list[PeriodCounts]  # every period before the latest window
    in_range: dict[str, int]  # notes per theme over the periods shown
    sessions: int  # how many sessions without a theme make it dormant
    recent: list[set[str]]  # an individual's last ``sessions`` sessions' themes, newest first


def window_counts(
    periods: list[PeriodCounts], interval: Interval, themes: Sequence[str]
) -> WindowCounts:
    return WindowCounts(
        first=periods[0].start,
        last=periods[-1].end,
        label=span_label(periods[0].start, periods[-1].start, interval),
        n=sum(p.n for p in periods),
        counts={t: sum(p.counts[t] for p in periods) for t in themes},
    )


def summarise(
    session: Session, scope: Scope, trends: Trends, query: TrendQuery, rule: TrendRule
) -> None:
    """Fill in the trends' summary and lines, or say why there is none."""
    comparison = _comparison(session, scope, trends, query, rule)
    if comparison is None:
        return
    trends.latest, trends.previous = comparison.latest, comparison.previous
    for theme in trends.themes:
        summary = _theme_summary(session, scope, trends, comparison, theme, query.interval, rule)
        trends.summary.append(summary)
        line = _line(session, scope, trends, comparison, summary)
        if line is not None:
            trends.lines.append(line)


def _comparison(
    session: Session, scope: Scope, trends: Trends, query: TrendQuery, rule: TrendRule
) -> Comparison | None:
    window = max(1, query.window)
    periods = trends.periods
    if len(periods) < 2 * window:
        trends.summary_withheld = f"the range needs at least {2 * window} periods to compare"
        return None
    compared = periods[-2 * window :]
    if any(p.suppressed for p in compared):
        trends.summary_withheld = "a compared period has too few distinct mentees to show"
        return None
    latest = window_counts(compared[window:], query.interval, trends.themes)
    # One person's last few sessions say something; a group's last three are noise, so a
    # group theme is dormant when it is absent from the whole latest window (from counts).
    sessions = rule.dormant_after if scope.individual else latest.n
    return Comparison(
        latest=latest,
        previous=window_counts(compared[:window], query.interval, trends.themes),
        before=periods[:-window],
        in_range={t: sum(p.counts[t] for p in periods if not p.suppressed) for t in trends.themes},
        sessions=sessions,
        recent=last_sessions(session, scope, sessions, trends.last) if scope.individual else [],
    )


def _theme_summary(
    session: Session,
    scope: Scope,
    trends: Trends,
    comparison: Comparison,
    theme: str,
    interval: Interval,
    rule: TrendRule,
) -> ThemeSummary:
    latest, previous, before = comparison.latest, comparison.previous, comparison.before
    a1, a0 = latest.counts[theme], previous.counts[theme]
    way, p_value = direction(a1, latest.n, a0, previous.n, rule)
    new = (
        a1 > 0
        and not any(p.suppressed for p in before)
        and all(p.counts[theme] == 0 for p in before)
        and not seen_before(session, scope, theme, trends.first, interval)
    )
    if scope.individual:
        recent = comparison.recent
        absent = len(recent) >= comparison.sessions and not any(theme in t for t in recent)
    else:
        absent = comparison.sessions >= rule.dormant_after and a1 == 0
    dormant = absent and comparison.in_range[theme] > 0
    return ThemeSummary(theme, a1, a0, way, p_value, new, dormant)


def _line(
    session: Session, scope: Scope, trends: Trends, comparison: Comparison, summary: ThemeSummary
) -> SummaryLine | None:
    theme = summary.theme
    said = sentence(
        theme,
        summary.direction,
        summary.new,
        summary.dormant,
        comparison.latest,
        comparison.previous,
        comparison.sessions,
        comparison.in_range[theme],
    )
    if said is None:
        return None
    text, kind, first, last = said
    if kind == "dormant":
        first = trends.first
    hidden = [p for p in trends.periods if p.suppressed]
    ids = examples(session, scope, theme, first=first, last=last, hidden=hidden)
    return SummaryLine(text, theme, kind, ids)
