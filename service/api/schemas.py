"""Request and response bodies of the HTTP API (they make the OpenAPI schema)."""

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
)

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: str) -> str:
    """Refuse what neither database can store: NUL (PostgreSQL rejects it in text) and
    unpaired surrogates (not encodable as UTF-8)."""
    if UNSTORABLE.search(value):
        raise ValueError("contains a NUL character or an unpaired surrogate")
    return value


Text = Annotated[str, AfterValidator(storable)]
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(value: object) -> object:
    """Dates only as YYYY-MM-DD: pydantic alone would also read a number as Unix time, so
    ``to=0`` would mean 1970-01-01."""
    if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("must be a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(iso_date)]
Id = Field(min_length=1, max_length=128, pattern=r"^\S(.*\S)?$")

NOTE_EXAMPLE: dict[str, Any] = {
    "external_id": "session-2026-11-20-0042",
    "text": (
        "Priya said she finally spoke up in the design review and it went well. "
        "We mapped out who she could ask for an intro to the platform team."
    ),
    "mentee_id": "mentee-17",
    "mentor_id": "mentor-3",
    "cohort": "2026-autumn",
    "session_date": "2026-11-20",
    "author_role": "mentor",
    "store_text": True,
}


class Strict(BaseModel):
    """Request bodies: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class NoteIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [NOTE_EXAMPLE]})

    text: Text = Field(description="The note, 1 to 20,000 characters (configurable).")
    mentee_id: Text = Id
    external_id: Text | None = Field(
        None,
        min_length=1,
        max_length=256,
        description="The platform's id; posting it again returns the stored note.",
    )
    mentor_id: Text | None = Field(None, min_length=1, max_length=128, pattern=r"^\S(.*\S)?$")
    cohort: Text | None = Field(None, min_length=1, max_length=128, pattern=r"^\S(.*\S)?$")
    session_date: IsoDate | None = Field(None, description="Defaults to the day it is received.")
    author_role: Literal["mentor", "mentee"] | None = None
    store_text: StrictBool = Field(
        True, description="False keeps themes, scores and offsets but not the text."
    )


class BatchIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"notes": [NOTE_EXAMPLE]}]}
    )

    notes: list[Any] = Field(
        description="Up to 500 notes (configurable), each a NoteIn; each is checked on its own.",
        json_schema_extra={"items": {"$ref": "#/components/schemas/NoteIn"}},
    )


class TagIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"texts": ["She led her first stand-up today."]}]},
    )

    texts: list[Text] = Field(description="1 to 100 texts (configurable); nothing is stored.")


class EvidenceOut(BaseModel):
    text: str | None = Field(description="The sentence; null when the note's text is not kept.")
    start: int = Field(description="Character offset of the sentence in the note.")
    end: int
    score: float


class ThemeOut(BaseModel):
    theme: str
    score: float
    evidence: list[EvidenceOut]


class NoteOut(BaseModel):
    id: str
    external_id: str | None
    mentee_id: str
    mentor_id: str | None
    cohort: str | None
    session_date: date
    author_role: str | None
    text: str | None = Field(description="Null when posted with store_text false.")
    text_stored: bool
    text_chars: int
    themes: list[ThemeOut] = Field(
        description="The themes that count: the model's, or the reviewer's once reviewed."
    )
    model_themes: list[ThemeOut] | None = Field(
        description="The model's own themes when a person has changed them; else null."
    )
    review: "ReviewOut | None" = Field(description="Who reviewed the themes and when; or null.")
    model_version: str
    margin: float | None = Field(
        description="Distance of the closest theme score to its threshold; small = uncertain."
    )
    uncertain_theme: str | None = Field(description="The theme that margin belongs to.")
    created_at: datetime


class ReviewOut(BaseModel):
    themes: list[str]
    reviewer: str
    reviewed_at: datetime


class ReviewIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"themes": ["confidence"], "reviewer": "mentor-7"}]},
    )

    themes: list[Text] = Field(
        max_length=64, description="Every theme the note is about; [] for none (logistics)."
    )
    reviewer: Text | None = Field(
        None,
        min_length=1,
        max_length=128,
        description="Who decided; defaults to the key's mentor, else the key id.",
    )


class ReviewQueue(BaseModel):
    notes: list[NoteOut] = Field(description="Unreviewed notes, least certain first.")


class ProblemField(BaseModel):
    field: str = Field(description="Where the problem is, e.g. body.notes.3.text.")
    problem: str


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ProblemField] | None = None


class BatchItemOut(BaseModel):
    index: int = Field(description="Position of the item in the request.")
    status: int = Field(description="201 stored, 200 already stored, 409 or 422 refused.")
    note: NoteOut | None = None
    problem: Problem | None = None


class BatchOut(BaseModel):
    model_version: str
    created: int
    existing: int
    failed: int
    results: list[BatchItemOut]


class TagResult(BaseModel):
    themes: list[ThemeOut]


class TagOut(BaseModel):
    model_version: str
    results: list[TagResult]


class NotesPage(BaseModel):
    notes: list[NoteOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null at end.")


class Deleted(BaseModel):
    deleted: int


class ThemeInfo(BaseModel):
    id: str
    name: str
    definition: str | None
    threshold: float | None = Field(description="Score at or above which the theme is given.")


class ThemesOut(BaseModel):
    model_version: str
    themes: list[ThemeInfo]


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, bool] = Field(default_factory=dict)
    detail: dict[str, str] = Field(default_factory=dict)


class ActivateIn(Strict):
    force: StrictBool = Field(False, description="Promote even if the held-out check fails.")
    tolerance: StrictFloat = Field(0.01, ge=0, le=1, description="Largest macro-F1 drop accepted.")
    max_theme_drop: StrictFloat = Field(
        0.05, ge=0, le=1, description="Largest drop of a theme's F1."
    )


class ActivateOut(BaseModel):
    active: str
    previous: str | None
    serving: str = Field(description="The version this worker serves now.")
    heldout_macro_f1: float
    previous_heldout_macro_f1: float | None
    forced: bool
    problems: list[str]


class ThemeCount(BaseModel):
    count: int
    share: float | None = Field(description="count / n; null when n is 0.")


class PeriodOut(BaseModel):
    start: date
    end: date
    label: str
    n: int | None = Field(description="Notes in the period; null when suppressed.")
    mentees: int | None = Field(
        None, description="Distinct mentees (cohort and tenant scopes); null when suppressed."
    )
    suppressed: bool = False
    reason: str | None = None
    themes: dict[str, ThemeCount] | None = Field(description="Null when suppressed.")


class WindowOut(BaseModel):
    start: date
    end: date
    label: str
    n: int


class ThemeTrend(BaseModel):
    theme: str
    latest: ThemeCount
    previous: ThemeCount
    direction: Literal["rising", "falling", "steady"]
    p_value: float | None = Field(description="Fisher exact test; null below the minimum counts.")
    new: bool
    dormant: bool


class SummaryLineOut(BaseModel):
    text: str
    theme: str
    kind: Literal["rising", "falling", "new", "dormant"]
    note_ids: list[str] = Field(description="Up to three notes whose evidence shows it best.")


class PairOut(BaseModel):
    themes: tuple[str, str]
    count: int
    share: float | None = Field(description="count / n of the range's shown periods.")


class SummaryOut(BaseModel):
    latest: WindowOut | None
    previous: WindowOut | None
    themes: list[ThemeTrend]
    lines: list[SummaryLineOut]
    withheld: str | None = Field(description="Why there is no summary, when there is none.")


class CoOccurrenceOut(BaseModel):
    n: int
    pairs: list[PairOut]


class TrendsOut(BaseModel):
    scope: str
    id: str
    interval: str
    start: date
    end: date
    themes: list[str]
    min_group_mentees: int | None
    periods: list[PeriodOut]
    summary: SummaryOut
    co_occurrence: CoOccurrenceOut
    model_versions: dict[str, int] = Field(
        description="Notes shown per model version that tagged them, most first."
    )
    mixed_versions: str | None = Field(
        description="Set when the notes come from more than one model version: what that means."
    )
