"""What a trends computation returns: periods, windows, per-theme summaries and lines."""

from dataclasses import dataclass, field
from datetime import date

from service.trends.periods import (
    Interval,
)


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
