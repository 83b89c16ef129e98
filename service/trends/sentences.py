"""The plain-language sentence of one summary line."""

from datetime import date

from service.trends.results import WindowCounts


def sentence(
    theme: str,
    way: str,
    new: bool,
    dormant: bool,
    latest: WindowCounts,
    previous: WindowCounts,
    sessions: int,
    in_range: int,
) -> tuple[str, str, date, date] | None:
    """The line's text, its kind, and the dates its example notes come from; ``None``
    when the theme neither moved, nor is new, nor went dormant."""
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
