"""Re-tagging stored notes with the active model, so trends do not mix two models.

Work goes in batches, each its own transaction, and picks notes whose model version is not
the target one: an interrupted run loses at most the batch it was on, and running it again
carries on where it stopped. A reviewed note keeps its reviewer's themes; only the model's
answer beside them is renewed. Notes stored without text cannot be re-tagged and are
counted as skipped."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Table, and_, bindparam, delete, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from service.notes.store import ThemeRecord, theme_records
from service.storage.db import transaction
from service.storage.note_themes import theme_dict, theme_row, themes_of
from service.storage.tables import Note, NoteTheme
from service.trends import rollups
from service.trends.rollups import RollupNote
from training.registry import LoadedModel
from training.results import TaggedNote

DEFAULT_BATCH = 500
ATTEMPTS = 3
NOTES = cast(Table, Note.__table__)
PendingRow = Row[*tuple[Any, ...]]
PENDING_COLUMNS = (Note.seq, *rollups.ROLLUP_COLUMNS, Note.text, Note.reviewed_at)

Progress = Callable[[int, int], None]
"""Called after each batch with the notes done so far and the total."""


@dataclass(frozen=True)
class RetagResult:
    model_version: str
    retagged: int
    skipped_without_text: int


def _pending(
    version: str, tenant_id: str | None, since: date | None, *, with_text: bool
) -> ColumnElement[bool]:
    condition = and_(
        Note.model_version != version,
        Note.text.is_not(None) if with_text else Note.text.is_(None),
    )
    if tenant_id is not None:
        condition = and_(condition, Note.tenant_id == tenant_id)
    if since is not None:
        condition = and_(condition, Note.session_date >= since)
    return condition


def count_pending(
    session: Session, version: str, *, tenant_id: str | None, since: date | None
) -> tuple[int, int]:
    """Notes still to re-tag, and notes that cannot be (no text stored)."""
    with_text = session.scalar(
        select(func.count()).where(_pending(version, tenant_id, since, with_text=True))
    )
    without = session.scalar(
        select(func.count()).where(_pending(version, tenant_id, since, with_text=False))
    )
    return int(with_text or 0), int(without or 0)


def retag(
    sessions: sessionmaker[Session],
    model: LoadedModel,
    *,
    tenant_id: str | None = None,
    since: date | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> RetagResult:
    """Re-tag every stored note (of a tenant, from a session date on) not tagged by ``model``."""
    with sessions() as session:
        total, skipped = count_pending(session, model.version, tenant_id=tenant_id, since=since)
    done = 0
    after = 0
    while True:
        stored, after = _retag_batch_with_retries(
            sessions, model, tenant_id=tenant_id, since=since, after=after, limit=batch_size
        )
        if not stored:
            return RetagResult(model.version, done, skipped)
        done += stored
        if progress is not None:
            progress(done, max(total, done))


def _retag_batch_with_retries(
    sessions: sessionmaker[Session],
    model: LoadedModel,
    *,
    tenant_id: str | None,
    since: date | None,
    after: int,
    limit: int,
) -> tuple[int, int]:
    # The service may delete a note between our read and our write; the batch is then
    # rolled back and read again.
    for attempt in range(ATTEMPTS):
        try:
            with transaction(sessions) as session:
                return _retag_batch(session, model, tenant_id, since, after, limit)
        except (IntegrityError, OperationalError):
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _retag_batch(
    session: Session,
    model: LoadedModel,
    tenant_id: str | None,
    since: date | None,
    after: int,
    limit: int,
) -> tuple[int, int]:
    """Re-tag the next ``limit`` pending notes after ``after``; (how many, last seq).
    Plain rows, not ORM objects: building objects cost more than the SQL."""
    query = (
        select(*PENDING_COLUMNS)
        .where(_pending(model.version, tenant_id, since, with_text=True), Note.seq > after)
        .order_by(Note.seq)
        .limit(limit)
        .with_for_update()
    )
    notes = session.execute(query).all()
    if not notes:
        return 0, after
    stored = themes_of(session, [note.seq for note in notes])
    tagged = model.tagger.tag_notes([note.text for note in notes])
    _write(session, _answers(notes, tagged, stored, model.version))
    return len(notes), notes[-1].seq


@dataclass
class _Answers:
    """What a batch's new answers change: the themes of its unreviewed notes (which the
    model's answer decides), every note's model fields, and its rollup counts."""

    unreviewed: list[int] = field(default_factory=list)
    theme_rows: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    before: list[RollupNote] = field(default_factory=list)
    after: list[RollupNote] = field(default_factory=list)


def _answers(
    notes: Sequence[PendingRow],
    tagged: Sequence[TaggedNote],
    stored: dict[int, list[str]],
    version: str,
) -> _Answers:
    answers = _Answers()
    for note, result in zip(notes, tagged, strict=True):
        records = theme_records(result, store_text=True)
        answers.before.append(rollups.rollup_note(note, stored.get(note.seq, ())))
        if note.reviewed_at is None:
            answers.unreviewed.append(note.seq)
            answers.theme_rows.extend(theme_row(note.seq, record) for record in records)
            themes = tuple(record.theme for record in records)
        else:  # the reviewer's themes still count; only the model's answer beside them changes
            themes = tuple(stored.get(note.seq, ()))
        answers.updates.append(_note_update(note, result, version, records))
        answers.after.append(rollups.rollup_note(note, themes, version))
    return answers


NOTE_UPDATE = (
    NOTES.update()
    .where(NOTES.c.seq == bindparam("b_seq"))
    .values(
        model_version=bindparam("b_version"),
        margin=bindparam("b_margin"),
        uncertain_theme=bindparam("b_uncertain"),
        model_themes=bindparam("b_model_themes"),
    )
)


def _write(session: Session, answers: _Answers) -> None:
    session.execute(delete(NoteTheme).where(NoteTheme.note_seq.in_(answers.unreviewed)))
    if answers.theme_rows:
        session.execute(insert(NoteTheme), answers.theme_rows)
    session.connection().execute(NOTE_UPDATE, answers.updates)
    rollups.relabel(session, answers.before, answers.after)


def _note_update(
    note: PendingRow, result: TaggedNote, version: str, records: list[ThemeRecord]
) -> dict[str, Any]:
    model_themes = None
    if note.reviewed_at is not None:
        model_themes = [theme_dict(record) for record in records]
    return {
        "b_seq": note.seq,
        "b_version": version,
        "b_margin": result.margin,
        "b_uncertain": result.uncertain_theme,
        "b_model_themes": model_themes,
    }
