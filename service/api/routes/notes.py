"""Notes: post one or a batch, read, list, correct their themes and delete them."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from starlette.concurrency import run_in_threadpool

from service.api.convert import (
    check_count,
    check_page_size,
    check_storable,
    note_out,
    parse_batch_item,
    to_new_note,
)
from service.api.deps import Admin, Ingester, Reader, StateDep
from service.api.problems import problem
from service.api.routes import problems
from service.api.schemas import (
    BatchIn,
    BatchItemOut,
    BatchOut,
    IsoDate,
    NoteIn,
    NoteOut,
    NotesPage,
    ReviewIn,
)
from service.errors import FieldProblem, InvalidInput, ServiceError
from service.notes.ingest import ingest
from service.notes.reviews import check_themes, review, reviewer_name
from service.notes.store import NewNote, NoteFilters, delete_note, get_note, list_notes
from service.storage.db import transaction

router = APIRouter(prefix="/notes", tags=["notes"])

DEFAULT_PAGE = 50
ALREADY_STORED: dict[int | str, dict[str, Any]] = {
    200: {"model": NoteOut, "description": "Already stored (same external id and text)."}
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=ALREADY_STORED | problems(401, 403, 409, 413, 422),
)
async def post_note(
    body: NoteIn, principal: Ingester, state: StateDep, response: Response
) -> NoteOut:
    """Tag a note and store it; 201 when new, 200 when this external id was already stored."""
    item = to_new_note(body, "body", state.settings)
    [outcome] = await ingest(state, principal.tenant_id, [item])
    if outcome.error is not None:
        raise outcome.error
    assert outcome.note is not None
    response.status_code = outcome.status
    return note_out(outcome.note)


@router.post("/batch", responses=problems(401, 403, 413, 422))
async def post_batch(body: BatchIn, principal: Ingester, state: StateDep) -> BatchOut:
    """Tag and store up to 500 notes at once; each item gets its own status."""
    check_count(body.notes, "body.notes", state.settings.max_batch_notes, "note")
    parsed: dict[int, NewNote] = {}
    refused: dict[int, ServiceError] = {}
    for index, raw in enumerate(body.notes):
        try:
            parsed[index] = parse_batch_item(raw, index, state.settings)
        except InvalidInput as error:
            refused[index] = error
    positions = sorted(parsed)
    outcomes = await ingest(state, principal.tenant_id, [parsed[i] for i in positions])
    results: list[BatchItemOut] = [
        BatchItemOut(index=index, status=error.status, problem=problem(error))
        for index, error in refused.items()
    ]
    for index, outcome in zip(positions, outcomes, strict=True):
        if outcome.error is not None:
            results.append(
                BatchItemOut(index=index, status=outcome.status, problem=problem(outcome.error))
            )
        else:
            assert outcome.note is not None
            results.append(
                BatchItemOut(index=index, status=outcome.status, note=note_out(outcome.note))
            )
    results.sort(key=lambda result: result.index)
    return BatchOut(
        model_version=state.tagging.model.version,
        created=sum(result.status == 201 for result in results),
        existing=sum(result.status == 200 for result in results),
        failed=sum(result.status >= 400 for result in results),
        results=results,
    )


@router.get("/{note_id}", responses=problems(401, 403, 404))
async def read_note(note_id: str, principal: Reader, state: StateDep) -> NoteOut:
    """One stored note with its themes and evidence."""

    def load() -> NoteOut:
        with state.sessions() as session:
            return note_out(get_note(session, principal, note_id))

    return await run_in_threadpool(load)


@router.get("", responses=problems(401, 403, 422))
async def read_notes(
    principal: Reader,
    state: StateDep,
    mentee_id: str | None = None,
    mentor_id: str | None = None,
    cohort: str | None = None,
    theme: str | None = None,
    date_from: Annotated[
        IsoDate | None, Query(alias="from", description="First session date.")
    ] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to", description="Last session date.")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, description="Page size, at most 200.")] = DEFAULT_PAGE,
) -> NotesPage:
    """Stored notes, newest session first, filtered and paged with a cursor."""
    check_page_size(limit, state.settings)
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InvalidInput([FieldProblem("query.from", "is after query.to")])
    check_storable(
        {
            "query.mentee_id": mentee_id,
            "query.mentor_id": mentor_id,
            "query.cohort": cohort,
            "query.theme": theme,
            "query.cursor": cursor,
        }
    )
    filters = NoteFilters(mentee_id, mentor_id, cohort, theme, date_from, date_to)

    def load() -> NotesPage:
        with state.sessions() as session:
            notes, next_cursor = list_notes(session, principal, filters, cursor=cursor, limit=limit)
            return NotesPage(notes=[note_out(note) for note in notes], next_cursor=next_cursor)

    return await run_in_threadpool(load)


@router.put("/{note_id}/themes", responses=problems(401, 403, 404, 422))
async def correct_themes(
    note_id: str, body: ReviewIn, principal: Reader, state: StateDep
) -> NoteOut:
    """Replace a note's themes with a person's; the model's stay visible beside them."""
    themes = check_themes(body.themes, state.tagging.model.labels)
    reviewer = reviewer_name(principal, body.reviewer)

    def store() -> NoteOut:
        with transaction(state.sessions) as session:
            note = review(session, principal, note_id, themes=themes, reviewer=reviewer)
            return note_out(note)

    return await run_in_threadpool(store)


@router.delete(
    "/{note_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(401, 403, 404)
)
async def erase_note(note_id: str, principal: Admin, state: StateDep) -> Response:
    """Delete a note and its themes."""

    def erase() -> None:
        with transaction(state.sessions) as session:
            delete_note(session, principal, note_id)

    await run_in_threadpool(erase)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
