"""Between the API's bodies and the storage layer: checks that depend on settings, and the
shapes of stored notes and tagging results."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from service.api.problems import describe_validation
from service.api.schemas import UNSTORABLE, EvidenceOut, NoteIn, NoteOut, ReviewOut, ThemeOut
from service.errors import FieldProblem, InvalidInput
from service.notes.store import NewNote, NoteRecord, ThemeRecord
from service.settings import Settings
from service.storage.tables import Note, NoteTheme
from training.results import ThemeMatch


def text_problem(text: str, field: str, settings: Settings) -> FieldProblem | None:
    """The configured length rule for note text (1 to ``max_text_chars`` characters, not
    only whitespace)."""
    if not text.strip():
        return FieldProblem(field, "must contain some non-whitespace text")
    if len(text) > settings.max_text_chars:
        return FieldProblem(
            field, f"is {len(text)} characters; the limit is {settings.max_text_chars}"
        )
    return None


def check_storable(values: dict[str, str | None]) -> None:
    """Path and query values go into SQL too: refuse what the database cannot take."""
    problems = [
        FieldProblem(field, "contains a NUL character or an unpaired surrogate")
        for field, value in values.items()
        if value is not None and UNSTORABLE.search(value)
    ]
    if problems:
        raise InvalidInput(problems)


def to_new_note(body: NoteIn, field: str, settings: Settings) -> NewNote:
    problem = text_problem(body.text, f"{field}.text", settings)
    if problem is not None:
        raise InvalidInput([problem])
    return NewNote(**body.model_dump())


def parse_batch_item(raw: Any, index: int, settings: Settings) -> NewNote:
    """Validate one item of a batch on its own, naming fields as ``body.notes.<i>.<field>``."""
    prefix = f"body.notes.{index}"
    try:
        body = NoteIn.model_validate(raw)
    except ValidationError as error:
        problems = describe_validation(error.errors())
        raise InvalidInput(
            [
                FieldProblem(f"{prefix}.{p.field}" if p.field else prefix, p.problem)
                for p in problems
            ]
        ) from None
    return to_new_note(body, prefix, settings)


def check_count(items: Sequence[Any], field: str, limit: int, what: str) -> None:
    if not items:
        raise InvalidInput([FieldProblem(field, f"must hold at least one {what}")])
    if len(items) > limit:
        raise InvalidInput(
            [FieldProblem(field, f"holds {len(items)} {what}s; the limit is {limit} per request")]
        )


def check_page_size(limit: int, settings: Settings) -> None:
    """``query.limit`` of a listing: at most ``max_page_size`` notes a page (the query
    declares the lower bound)."""
    if limit > settings.max_page_size:
        raise InvalidInput([FieldProblem("query.limit", f"at most {settings.max_page_size}")])


def themes_out(matches: Sequence[ThemeMatch]) -> list[ThemeOut]:
    return [
        ThemeOut(
            theme=match.theme,
            score=round(match.score, 4),
            evidence=[
                EvidenceOut(text=e.text, start=e.start, end=e.end, score=round(e.score, 4))
                for e in match.evidence
            ],
        )
        for match in matches
    ]


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _by_score(rows: Sequence[NoteTheme] | Sequence[ThemeRecord]) -> list[NoteTheme | ThemeRecord]:
    return sorted(rows, key=lambda row: -row.score)


def _stored_theme(theme: str, score: float, evidence: Sequence[dict[str, Any]]) -> ThemeOut:
    return ThemeOut(
        theme=theme,
        score=round(score, 4),
        evidence=[
            EvidenceOut(
                text=e.get("text"), start=e["start"], end=e["end"], score=round(e["score"], 4)
            )
            for e in evidence
        ],
    )


def note_out(note: Note | NoteRecord) -> NoteOut:
    review = None
    model_themes = None
    if note.reviewed_at is not None and note.reviewed_by is not None:
        review = ReviewOut(
            themes=sorted(row.theme for row in note.themes),
            reviewer=note.reviewed_by,
            reviewed_at=as_utc(note.reviewed_at),
        )
        model_themes = [
            _stored_theme(item["theme"], item["score"], item["evidence"])
            for item in sorted(note.model_themes or [], key=lambda item: -item["score"])
        ]
    return NoteOut(
        id=note.id,
        external_id=note.external_id,
        mentee_id=note.mentee_id,
        mentor_id=note.mentor_id,
        cohort=note.cohort,
        session_date=note.session_date,
        author_role=note.author_role,
        text=note.text,
        text_stored=note.text is not None,
        text_chars=note.text_chars,
        themes=[
            _stored_theme(row.theme, row.score, row.evidence) for row in _by_score(note.themes)
        ],
        model_themes=model_themes,
        review=review,
        model_version=note.model_version,
        margin=note.margin,
        uncertain_theme=note.uncertain_theme,
        created_at=as_utc(note.created_at),
    )
