"""Storing posted notes: sort out replays and conflicts, tag what is new (off the event loop,
batched with other requests' texts) and hand it to the group-commit writer; a request is
answered only once its notes are committed."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from service.errors import Conflict
from service.notes.store import NewNote, NoteRecord, Plan, note_record, plan_ingest
from service.state import AppState
from service.storage.tables import Note
from training.results import TaggedNote

ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    """The fate of one posted note: stored now (201), already stored (200) or refused."""

    status: int
    note: Note | NoteRecord | None = None
    error: Conflict | None = None


async def ingest(state: AppState, tenant_id: str, items: Sequence[NewNote]) -> list[Outcome]:
    """Store ``items``; concurrent posts of the same external id settle on one stored note."""
    tags: dict[int, TaggedNote] = {}
    model_version = ""
    for attempt in range(ATTEMPTS):
        plan = await _plan(state, tenant_id, items)
        untagged = [index for index in plan.new if index not in tags]
        if untagged:
            tagged = await asyncio.wrap_future(
                state.tagging.submit([items[index].text for index in untagged])
            )
            model_version = tagged.model_version
            tags.update(zip(untagged, tagged.results, strict=True))
        model_version = model_version or state.tagging.model.version
        stored = {
            index: note_record(tenant_id, items[index], tags[index], model_version)
            for index in plan.new
        }
        try:
            await asyncio.wrap_future(state.writer.submit(list(stored.values())))
        except IntegrityError:
            # Another request stored one of these external ids since we looked; look again.
            if attempt == ATTEMPTS - 1:
                raise
            continue
        return _outcomes(items, plan, stored)
    raise AssertionError("unreachable")


async def _plan(state: AppState, tenant_id: str, items: Sequence[NewNote]) -> Plan:
    if all(item.external_id is None for item in items):
        return Plan(new=list(range(len(items))), existing={}, conflicts={})  # nothing to look up

    def look_up() -> Plan:
        with state.sessions() as session:
            return plan_ingest(session, tenant_id, items)

    return await run_in_threadpool(look_up)


def _outcomes(items: Sequence[NewNote], plan: Plan, stored: dict[int, NoteRecord]) -> list[Outcome]:
    by_external_id = {
        note.external_id: note for note in stored.values() if note.external_id is not None
    }
    outcomes = []
    for index, item in enumerate(items):
        if index in stored:
            outcomes.append(Outcome(201, note=stored[index]))
        elif index in plan.existing:
            outcomes.append(Outcome(200, note=plan.existing[index].note))
        elif index in plan.conflicts:
            outcomes.append(Outcome(409, error=plan.conflicts[index]))
        else:  # repeats an earlier item of this batch, stored just now
            assert item.external_id is not None
            outcomes.append(Outcome(200, note=by_external_id[item.external_id]))
    return outcomes
