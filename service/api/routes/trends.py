"""Theme trends per mentee, mentor, cohort or tenant, as JSON and as CSV."""

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from starlette.concurrency import run_in_threadpool

from service.api.convert import check_storable
from service.api.deps import Reader, StateDep
from service.api.routes import problems
from service.api.schemas import (
    CoOccurrenceOut,
    IsoDate,
    PairOut,
    PeriodOut,
    SummaryLineOut,
    SummaryOut,
    ThemeCount,
    ThemeTrend,
    TrendsOut,
    WindowOut,
)
from service.auth.keys import Principal
from service.state import AppState
from service.trends.compute import compute
from service.trends.periods import Interval
from service.trends.results import PeriodCounts, TrendQuery, Trends, WindowCounts
from service.trends.scope import SCOPES

router = APIRouter(tags=["trends"])
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The period table."}
}

# Checked by ``compute`` (its message lists them); the enum tells clients the same.
ScopeParam = Annotated[
    str, Query(description="mentee, mentor, cohort or tenant.", json_schema_extra={"enum": SCOPES})
]
ScopeId = Annotated[str | None, Query(alias="id", description="Not needed for tenant.")]
From = Annotated[IsoDate | None, Query(alias="from", description="Default: 12 periods back.")]
To = Annotated[IsoDate | None, Query(alias="to", description="Default: the latest note's period.")]
Window = Annotated[int, Query(ge=1, le=26, description="Periods per compared window.")]


def _share(count: int, n: int) -> ThemeCount:
    return ThemeCount(count=count, share=round(count / n, 4) if n else None)


async def _trends(state: AppState, principal: Principal, query: TrendQuery) -> Trends:
    check_storable({"query.id": query.scope_id})
    themes = list(state.tagging.model.labels)

    def load() -> Trends:
        with state.sessions() as session:
            return compute(
                session,
                principal,
                query,
                themes=themes,
                min_group=state.settings.min_group_mentees,
            )

    return await run_in_threadpool(load)


def _out(trends: Trends) -> TrendsOut:
    return TrendsOut(
        scope=trends.scope,
        id=trends.scope_id,
        interval=trends.interval.value,
        start=trends.first,
        end=trends.last,
        themes=trends.themes,
        min_group_mentees=trends.min_group,
        periods=[_period_out(p) for p in trends.periods],
        summary=_summary_out(trends),
        co_occurrence=_co_occurrence_out(trends),
        model_versions=trends.model_versions,
        mixed_versions=trends.versions_note,
    )


def _period_out(period: PeriodCounts) -> PeriodOut:
    hidden = period.suppressed
    return PeriodOut(
        start=period.start,
        end=period.end,
        label=period.label,
        n=None if hidden else period.n,
        mentees=None if hidden else period.mentees,
        suppressed=hidden,
        reason=period.reason,
        themes=None if hidden else {t: _share(c, period.n) for t, c in period.counts.items()},
    )


def _window_out(window: WindowCounts | None) -> WindowOut | None:
    if window is None:
        return None
    return WindowOut(start=window.first, end=window.last, label=window.label, n=window.n)


def _summary_out(trends: Trends) -> SummaryOut:
    latest_n = trends.latest.n if trends.latest else 0
    previous_n = trends.previous.n if trends.previous else 0
    return SummaryOut(
        latest=_window_out(trends.latest),
        previous=_window_out(trends.previous),
        themes=[
            ThemeTrend(
                theme=s.theme,
                latest=_share(s.latest, latest_n),
                previous=_share(s.previous, previous_n),
                direction=s.direction,
                p_value=None if s.p_value is None else round(s.p_value, 4),
                new=s.new,
                dormant=s.dormant,
            )
            for s in trends.summary
        ],
        lines=[
            SummaryLineOut(text=line.text, theme=line.theme, kind=line.kind, note_ids=line.note_ids)
            for line in trends.lines
        ],
        withheld=trends.summary_withheld,
    )


def _co_occurrence_out(trends: Trends) -> CoOccurrenceOut:
    n = trends.co_occurrence_n
    return CoOccurrenceOut(
        n=n,
        pairs=[
            PairOut(themes=(a, b), count=count, share=round(count / n, 4) if n else None)
            for a, b, count in trends.co_occurrence
        ],
    )


async def trend_query(
    scope: ScopeParam,
    scope_id: ScopeId = None,
    date_from: From = None,
    date_to: To = None,
    interval: Interval = Interval.MONTH,
    window: Window = 1,
) -> TrendQuery:
    """The query parameters both trend routes take."""
    return TrendQuery(scope, scope_id or "", interval, date_from, date_to, window)


TrendParams = Annotated[TrendQuery, Depends(trend_query)]


@router.get("/trends", responses=problems(401, 403, 422))
async def read_trends(principal: Reader, state: StateDep, query: TrendParams) -> TrendsOut:
    """Theme counts and shares per period, what rose or fell between the last two windows,
    summary lines with example notes, and which themes come up together."""
    return _out(await _trends(state, principal, query))


@router.get(
    "/trends.csv",
    response_class=Response,
    responses=CSV_RESPONSE | problems(401, 403, 422),
)
async def read_trends_csv(principal: Reader, state: StateDep, query: TrendParams) -> Response:
    """The period table of /v1/trends as CSV: one row per period, a count and a share per
    theme; suppressed periods have empty figures and a reason (``window`` has no effect)."""
    trends = await _trends(state, principal, query)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = ["period_start", "period_end", "n", "mentees"]
    for theme in trends.themes:
        header += [f"{theme}_count", f"{theme}_share"]
    writer.writerow([*header, "suppressed_reason"])
    for p in trends.periods:
        row: list[object] = [p.start.isoformat(), p.end.isoformat()]
        if p.suppressed:
            row += [""] * (len(header) - 2)
        else:
            row += [p.n, "" if p.mentees is None else p.mentees]
            for theme in trends.themes:
                count = p.counts[theme]
                row += [count, f"{count / p.n:.4f}" if p.n else ""]
        writer.writerow([*row, p.reason or ""])
    name = f"trends-{trends.scope}-{trends.interval.value}-{trends.first}-{trends.last}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
