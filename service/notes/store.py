"""Storage of notes and their themes: writes, tenant-scoped reads, erasure.

Every read takes the caller's ``Principal`` and filters on its tenant (and, for a key bound
to a mentor, on that mentor), so a note of another tenant is indistinguishable from a
missing one."""

import base64
import binascii
import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, insert, or_, select
from sqlalchemy.orm import Session

from service.auth.keys import Principal
from service.errors import Conflict, FieldProblem, InvalidInput, NotFound
from service.storage.note_themes import theme_row
from service.storage.tables import Note, NoteTheme
from service.trends import rollups
from service.trends.rollups import RollupNote
from training.results import Evidence, TaggedNote

NOTE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MAX_SEQ = 2**63 - 1


@dataclass(frozen=True)
class NewNote:
    """A validated note to store."""

    text: str
    mentee_id: str
    external_id: str | None = None
    mentor_id: str | None = None
    cohort: str | None = None
    session_date: date | None = None
    author_role: str | None = None
    store_text: bool = True

    def fingerprint(self, tenant_id: str) -> str | None:
        """What recognises a replay of this note; salted with tenant and external id so equal
        texts do not share a hash. None without an external id: nothing to recognise."""
        if self.external_id is None:
            return None
        material = "\x00".join((tenant_id, self.external_id, self.text))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Existing:
    """A replay: the note with this external id is already stored with the same text."""

    note: Note


@dataclass(frozen=True)
class Plan:
    """What to do with each item of an ingest: store it new, return the stored one, or
    refuse it (a different text under an external id already taken)."""

    new: list[int]
    existing: dict[int, Existing]
    conflicts: dict[int, Conflict]


@dataclass(frozen=True)
class NoteFilters:
    mentee_id: str | None = None
    mentor_id: str | None = None
    cohort: str | None = None
    theme: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def plan_ingest(session: Session, tenant_id: str, items: Sequence[NewNote]) -> Plan:
    """Sort items into new, replayed and conflicting by their external ids, stored or earlier
    in the same batch."""
    wanted = {item.external_id for item in items if item.external_id is not None}
    stored: dict[str, Note] = {}
    if wanted:
        query = select(Note).where(Note.tenant_id == tenant_id, Note.external_id.in_(wanted))
        stored = {note.external_id: note for note in session.scalars(query) if note.external_id}
    first_in_batch: dict[str, int] = {}
    plan = Plan(new=[], existing={}, conflicts={})
    for index, item in enumerate(items):
        external_id = item.external_id
        if external_id is None:
            plan.new.append(index)
        elif external_id in stored:
            note = stored[external_id]
            if note.text_fingerprint == item.fingerprint(tenant_id):
                plan.existing[index] = Existing(note)
            else:
                plan.conflicts[index] = _conflict(external_id)
        elif external_id in first_in_batch:
            earlier = items[first_in_batch[external_id]]
            if earlier.text != item.text:
                plan.conflicts[index] = _conflict(external_id)
            # A repeat of an earlier item in the batch is resolved once that one is stored.
        else:
            first_in_batch[external_id] = index
            plan.new.append(index)
    return plan


def _conflict(external_id: str) -> Conflict:
    return Conflict(
        f"external_id {external_id!r} is already stored with a different text; "
        "post a new external_id or delete the stored note first"
    )


@dataclass(frozen=True)
class ThemeRecord:
    theme: str
    score: float
    evidence: list[dict[str, Any]]


@dataclass
class NoteRecord:
    """A tagged note about to be stored: plain data, cheap to build in bulk (ORM objects
    cost more than the SQL for a 500-note batch). Reads the same as a ``Note`` row."""

    id: str
    tenant_id: str
    external_id: str | None
    mentee_id: str
    mentor_id: str | None
    cohort: str | None
    session_date: date
    author_role: str | None
    text: str | None
    text_fingerprint: str | None
    text_chars: int
    model_version: str
    created_at: datetime
    themes: list[ThemeRecord]
    margin: float | None = None
    uncertain_theme: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    model_themes: list[dict[str, Any]] | None = None


NOTE_COLUMNS = (
    "id",
    "tenant_id",
    "external_id",
    "mentee_id",
    "mentor_id",
    "cohort",
    "session_date",
    "author_role",
    "text",
    "text_fingerprint",
    "text_chars",
    "model_version",
    "created_at",
    "margin",
    "uncertain_theme",
)


def note_record(
    tenant_id: str, item: NewNote, tagged: TaggedNote, model_version: str
) -> NoteRecord:
    """The record of a tagged note; evidence keeps offsets and scores, and its text only when
    the note's text is stored."""
    return NoteRecord(
        id=str(uuid.uuid4()),
        tenant_id=tenant_id,
        external_id=item.external_id,
        mentee_id=item.mentee_id,
        mentor_id=item.mentor_id,
        cohort=item.cohort,
        session_date=item.session_date or datetime.now(UTC).date(),
        author_role=item.author_role,
        text=item.text if item.store_text else None,
        text_fingerprint=item.fingerprint(tenant_id),
        text_chars=len(item.text),
        model_version=model_version,
        created_at=datetime.now(UTC),
        themes=theme_records(tagged, store_text=item.store_text),
        margin=tagged.margin,
        uncertain_theme=tagged.uncertain_theme,
    )


def theme_records(tagged: TaggedNote, *, store_text: bool) -> list[ThemeRecord]:
    return [
        ThemeRecord(
            theme=match.theme,
            score=match.score,
            evidence=[_evidence(e, store_text) for e in match.evidence],
        )
        for match in tagged.matches
    ]


def _evidence(evidence: Evidence, store_text: bool) -> dict[str, Any]:
    stored: dict[str, Any] = {"start": evidence.start, "end": evidence.end, "score": evidence.score}
    if store_text:
        stored["text"] = evidence.text
    return stored


def for_rollups(note: Note | NoteRecord) -> RollupNote:
    return rollups.rollup_note(note, (row.theme for row in note.themes))


def insert_notes(session: Session, records: Sequence[NoteRecord]) -> None:
    """Insert notes and their themes with multi-row statements, and count them in the
    rollups, all in the caller's transaction."""
    if not records:
        return
    rollups.apply(session, [for_rollups(record) for record in records], 1)
    rows = [{column: getattr(record, column) for column in NOTE_COLUMNS} for record in records]
    returning = insert(Note).returning(Note.seq, sort_by_parameter_order=True)
    seqs = session.execute(returning, rows).scalars().all()
    themes = [
        theme_row(seq, theme)
        for seq, record in zip(seqs, records, strict=True)
        for theme in record.themes
    ]
    if themes:
        session.execute(insert(NoteTheme), themes)


def visible(principal: Principal) -> ColumnElement[bool]:
    condition = Note.tenant_id == principal.tenant_id
    if principal.mentor_id is not None:
        condition = and_(condition, Note.mentor_id == principal.mentor_id)
    return condition


def get_note(session: Session, principal: Principal, note_id: str) -> Note:
    if not NOTE_ID.fullmatch(note_id):  # not one of ours; PostgreSQL would choke on a NUL
        raise NotFound(f"no note with id {note_id!r}")
    note = session.scalars(select(Note).where(visible(principal), Note.id == note_id)).first()
    if note is None:
        raise NotFound(f"no note with id {note_id!r}")
    return note


def encode_cursor(note: Note) -> str:
    raw = f"{note.session_date.isoformat()}|{note.seq}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[date, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        day, seq = raw.split("|")
        position = date.fromisoformat(day), int(seq)
        if not 0 < position[1] <= MAX_SEQ:
            raise ValueError(seq)
        return position
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(
            [FieldProblem("query.cursor", "not a cursor this service returned")]
        ) from None


def list_notes(
    session: Session,
    principal: Principal,
    filters: NoteFilters,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[Note], str | None]:
    """One page of notes, newest session first (ties by arrival), and the next page's cursor."""
    query = select(Note).where(visible(principal))
    if filters.mentee_id is not None:
        query = query.where(Note.mentee_id == filters.mentee_id)
    if filters.mentor_id is not None:
        query = query.where(Note.mentor_id == filters.mentor_id)
    if filters.cohort is not None:
        query = query.where(Note.cohort == filters.cohort)
    if filters.date_from is not None:
        query = query.where(Note.session_date >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(Note.session_date <= filters.date_to)
    if filters.theme is not None:
        query = query.where(
            exists().where(NoteTheme.note_seq == Note.seq, NoteTheme.theme == filters.theme)
        )
    if cursor is not None:
        day, seq = decode_cursor(cursor)
        query = query.where(
            or_(Note.session_date < day, and_(Note.session_date == day, Note.seq < seq))
        )
    query = query.order_by(Note.session_date.desc(), Note.seq.desc()).limit(limit + 1)
    notes = list(session.scalars(query))
    if len(notes) > limit:
        return notes[:limit], encode_cursor(notes[limit - 1])
    return notes, None


def delete_note(session: Session, principal: Principal, note_id: str) -> None:
    note = get_note(session, principal, note_id)
    rollups.apply(session, [for_rollups(note)], -1)
    session.delete(note)


def delete_mentee(session: Session, principal: Principal, mentee_id: str) -> int:
    """Erase every note (and its themes) of a mentee in the caller's tenant."""
    seqs = select(Note.seq).where(visible(principal), Note.mentee_id == mentee_id)
    erased = session.scalars(select(Note).where(Note.seq.in_(seqs))).all()
    rollups.apply(session, [for_rollups(note) for note in erased], -1)
    session.execute(delete(NoteTheme).where(NoteTheme.note_seq.in_(seqs)))
    result = session.execute(delete(Note).where(visible(principal), Note.mentee_id == mentee_id))
    return int(result.rowcount)  # type: ignore[attr-defined]
