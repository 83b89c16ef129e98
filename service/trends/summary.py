"""The latest window against the one before: direction, new and dormant themes per theme,
and a summary line with example notes for each that changed."""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from service.auth.keys import Principal
from service.trends.direction import TrendRule, direction
from service.trends.lookups import examples, last_sessions, seen_before
from service.trends.periods import (
    Interval,
    span_label,
)
from service.trends.results import (
    PeriodCounts,
    SummaryLine,
    ThemeSummary,
    TrendQuery,
    Trends,
    WindowCounts,
)
from service.trends.sentences import sentence


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
    latest = window_counts(compared[window:], query.interval, trends.themes)
    previous = window_counts(compared[:window], query.interval, trends.themes)
    before = periods[:-window]
    trends.latest, trends.previous = latest, previous
    in_range = {t: sum(p.counts[t] for p in periods if not p.suppressed) for t in trends.themes}
    # One person's last few sessions say something; a group's last three are noise, so a
    # group theme is dormant when it is absent from the whole latest window (from counts).
    individual = kind in ("mentee", "pair")
    k = rule.dormant_after if individual else latest.n
    recent = (
        last_sessions(session, principal.tenant_id, kind, scope_id, k, trends.last)
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
            and not seen_before(
                session, principal.tenant_id, kind, scope_id, theme, trends.first, query.interval
            )  # fmt: skip
        )
        if individual:
            absent = len(recent) >= k and not any(theme in themes for themes in recent)
        else:
            absent = k >= rule.dormant_after and a1 == 0
        dormant = absent and in_range[theme] > 0
        trends.summary.append(ThemeSummary(theme, a1, a0, way, p_value, new, dormant))
        line = sentence(theme, way, new, dormant, latest, previous, k, in_range[theme])
        if line is not None:
            text, what, first, last = line
            if what == "dormant":
                first = trends.first
            hidden = [p for p in periods if p.suppressed]
            ids = examples(session, principal.tenant_id, kind, scope_id, theme, first, last, hidden)
            trends.lines.append(SummaryLine(text, theme, what, ids))
