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


@dataclass(frozen=True)
class TaggedNote:
    """A note's themes, and how close the model came to changing its mind: ``margin`` is the
    smallest distance between a theme's score and that theme's threshold, ``uncertain_theme``
    the theme it belongs to. A small margin marks a note worth a person's review."""

    matches: tuple[ThemeMatch, ...]
    margin: float
    uncertain_theme: str
