"""People's corrections of the model's themes, and the notes most worth correcting.

A review replaces the themes that count for a note (trends, filters, exports) with a
person's, keeps the model's answer beside them, and moves the note's rollup counts from its
old themes to the new in the same transaction."""

from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from service.auth.keys import Principal
from service.errors import FieldProblem, InvalidInput
from service.notes.store import ThemeRecord, for_rollups, get_note, visible
from service.storage.note_themes import theme_dict, theme_row
from service.storage.tables import Note, NoteTheme
from service.trends import rollups

PERSON_SCORE = 1.0  # a theme a reviewer added that the model did not give
EXPORT_BATCH = 1_000


def reviewer_name(principal: Principal, given: str | None) -> str:
    """Who reviewed: as given, else the mentor the key is bound to, else the key's id."""
    if given is not None:
        return given
    return principal.mentor_id if principal.mentor_id is not None else f"key:{principal.key_id}"


def check_themes(themes: Sequence[str], labels: Collection[str]) -> list[str]:
    """The reviewer's themes, each from the label set and listed once."""
    problems = []
    seen: set[str] = set()
    for index, theme in enumerate(themes):
        if theme not in labels:
            allowed = ", ".join(sorted(labels))
            problems.append(
                FieldProblem(f"body.themes.{index}", f"{theme!r} is not a theme; use {allowed}")
            )
        elif theme in seen:
            problems.append(FieldProblem(f"body.themes.{index}", f"{theme!r} is listed twice"))
        seen.add(theme)
    if problems:
        raise InvalidInput(problems)
    return sorted(seen)


def model_answer(note: Note) -> list[dict[str, Any]]:
    """The model's themes for a note, whether or not a person has reviewed it since."""
    if note.model_themes is not None:
        return note.model_themes
    return [theme_dict(theme) for theme in note.themes]


def review(
    session: Session,
    principal: Principal,
    note_id: str,
    *,
    themes: Sequence[str],
    reviewer: str,
) -> Note:
    """Store a person's themes for a note (replacing an earlier review)."""
    note = get_note(session, principal, note_id)
    # Two reviews of one note at once must not both count it out of the rollups.
    session.refresh(note, with_for_update=True)
    before = for_rollups(note)
    answer = model_answer(note)
    by_theme = {item["theme"]: item for item in answer}
    session.execute(delete(NoteTheme).where(NoteTheme.note_seq == note.seq))
    rows = [theme_row(note.seq, _reviewed_theme(theme, by_theme.get(theme))) for theme in themes]
    if rows:
        session.execute(insert(NoteTheme), rows)
    note.model_themes = answer
    note.reviewed_by = reviewer
    note.reviewed_at = datetime.now(UTC)
    session.flush()
    session.expire(note, ["themes"])
    rollups.relabel(session, [before], [for_rollups(note)])
    return note


def _reviewed_theme(theme: str, model_gave: dict[str, Any] | None) -> ThemeRecord:
    """A theme a reviewer kept carries the model's score and evidence; one they added, none."""
    if model_gave is None:
        return ThemeRecord(theme=theme, score=PERSON_SCORE, evidence=[])
    return ThemeRecord(theme=theme, score=model_gave["score"], evidence=model_gave["evidence"])


def review_queue(session: Session, principal: Principal, *, limit: int) -> list[Note]:
    """Unreviewed notes with text, the model's least certain first."""
    query = (
        select(Note)
        .where(
            visible(principal),
            Note.reviewed_at.is_(None),
            Note.margin.is_not(None),
            Note.text.is_not(None),
        )
        .order_by(Note.margin, Note.seq)
        .limit(limit)
    )
    return list(session.scalars(query))


def reviewed_notes(
    session: Session, *, tenant_id: str | None, since: date | None
) -> Iterator[Note]:
    """Every reviewed note with its text stored, in storage order, read in batches."""
    last = 0
    while True:
        query = select(Note).where(
            Note.reviewed_at.is_not(None), Note.text.is_not(None), Note.seq > last
        )
        if tenant_id is not None:
            query = query.where(Note.tenant_id == tenant_id)
        if since is not None:
            query = query.where(
                Note.reviewed_at >= datetime.combine(since, datetime.min.time(), UTC)
            )
        notes = list(session.scalars(query.order_by(Note.seq).limit(EXPORT_BATCH)))
        if not notes:
            return
        yield from notes
        last = notes[-1].seq
        session.expunge_all()


def as_sample(note: Note) -> dict[str, Any]:
    """A reviewed note in the training samples format; ``source`` names tenant and reviewer,
    so grouped cross-validation keeps one reviewer's notes in one fold."""
    return {
        "id": f"note-{note.id}",
        "text": note.text,
        "labels": sorted(row.theme for row in note.themes),
        "source": f"corrections:{note.tenant_id}:{note.reviewed_by}",
    }
