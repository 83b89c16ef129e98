"""The review queue: stored notes whose themes a person should check first."""

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from service.api.convert import check_page_size, note_out
from service.api.deps import Reader, StateDep
from service.api.routes import problems
from service.api.schemas import ReviewQueue
from service.notes.reviews import review_queue

router = APIRouter(prefix="/review-queue", tags=["notes"])


@router.get("", responses=problems(401, 403, 422))
async def read_review_queue(
    principal: Reader,
    state: StateDep,
    limit: Annotated[int, Query(ge=1, description="How many notes, at most 200.")] = 20,
) -> ReviewQueue:
    """Unreviewed notes whose model scores sit closest to a threshold, least certain first."""
    check_page_size(limit, state.settings)

    def load() -> ReviewQueue:
        with state.sessions() as session:
            return ReviewQueue(
                notes=[note_out(note) for note in review_queue(session, principal, limit=limit)]
            )

    return await run_in_threadpool(load)
