"""What tagging a note returns: themes with scores and the sentences behind them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Evidence:
    """A sentence of the note that supports a theme; ``text == note[start:end]``."""

    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class ThemeMatch:
    """A theme predicted for a note, with its score and supporting sentences (best first)."""

    theme: str
    score: float
    evidence: tuple[Evidence, ...]
