"""Calendar periods trends are counted in: ISO weeks (from Monday), months and quarters."""

from datetime import date, timedelta
from enum import StrEnum


class Interval(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# The dates trends accept: anything else is a typo, and would make ranges of millennia.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


def period_start(day: date, interval: Interval) -> date:
    """The first day of the period holding ``day``."""
    if interval is Interval.WEEK:
        return day - timedelta(days=day.weekday())
    if interval is Interval.MONTH:
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_start(start: date, interval: Interval) -> date:
    if interval is Interval.WEEK:
        return start + timedelta(days=7)
    months = 1 if interval is Interval.MONTH else 3
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def period_end(start: date, interval: Interval) -> date:
    """The last day of the period starting at ``start``."""
    return next_start(start, interval) - timedelta(days=1)


def starts_between(first: date, last: date, interval: Interval) -> list[date]:
    """Every period start from the period of ``first`` to that of ``last``, gaps included."""
    starts, start = [], period_start(first, interval)
    while start <= last:
        starts.append(start)
        start = next_start(start, interval)
    return starts


def shift(start: date, interval: Interval, periods: int) -> date:
    """The start of the period ``periods`` before (negative) or after ``start``."""
    if interval is Interval.WEEK:
        return start + timedelta(days=7 * periods)
    months = periods * (1 if interval is Interval.MONTH else 3)
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def label(start: date, interval: Interval) -> str:
    """How a period reads in a sentence: "October 2026", "Q4 2026", "the week of 5 Oct 2026"."""
    if interval is Interval.MONTH:
        return f"{MONTHS[start.month - 1]} {start.year}"
    if interval is Interval.QUARTER:
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return f"the week of {start.day} {MONTHS[start.month - 1][:3]} {start.year}"


def span_label(first: date, last: date, interval: Interval) -> str:
    """A run of periods: one label, or "September 2026 to October 2026"."""
    if first == last:
        return label(first, interval)
    return f"{label(first, interval)} to {label(last, interval)}"
