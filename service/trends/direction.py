"""The rule that calls a change between two windows rising, falling or steady."""

from dataclasses import dataclass

from scipy.stats import fisher_exact


@dataclass(frozen=True)
class TrendRule:
    """When a change between two windows is called a trend (documented in the README)."""

    alpha: float = 0.10  # two-sided Fisher exact test
    min_notes: int = 3  # notes in each window
    min_theme_notes: int = 2  # notes carrying the theme in the higher window
    dormant_after: int = 3  # sessions without the theme


DEFAULT_RULE = TrendRule()


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
