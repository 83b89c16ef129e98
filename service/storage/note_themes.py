"""The rows of ``note_themes``: how a note's theme is stored, and which themes a set of
notes carries."""

from collections.abc import Collection
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.storage.tables import NoteTheme


class StoredTheme(Protocol):
    """A theme of a note with its score and evidence: a ``NoteTheme`` row or a record
    about to become one."""

    @property
    def theme(self) -> str: ...

    @property
    def score(self) -> float: ...

    @property
    def evidence(self) -> list[dict[str, Any]]: ...


def theme_dict(theme: StoredTheme) -> dict[str, Any]:
    """A theme as stored in a reviewed note's ``model_themes`` (and, with its note, in
    ``note_themes``)."""
    return {"theme": theme.theme, "score": theme.score, "evidence": theme.evidence}


def theme_row(note_seq: int, theme: StoredTheme) -> dict[str, Any]:
    """The ``note_themes`` row of one of a note's themes, for a multi-row insert."""
    return {"note_seq": note_seq, **theme_dict(theme)}


def themes_of(session: Session, note_seqs: Collection[int]) -> dict[int, list[str]]:
    """The themes that count for each of these notes; a note without any is left out."""
    themes: dict[int, list[str]] = {}
    if not note_seqs:
        return themes
    found = select(NoteTheme.note_seq, NoteTheme.theme).where(NoteTheme.note_seq.in_(note_seqs))
    for seq, theme in session.execute(found):
        themes.setdefault(seq, []).append(theme)
    return themes
