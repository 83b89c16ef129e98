"""Mentees: erase everything stored about one."""

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from service.api.convert import check_storable
from service.api.deps import Admin, StateDep
from service.api.routes import problems
from service.api.schemas import Deleted
from service.notes.store import delete_mentee
from service.storage.db import transaction

router = APIRouter(prefix="/mentees", tags=["mentees"])


@router.delete("/{mentee_id}", responses=problems(401, 403))
async def erase_mentee(mentee_id: str, principal: Admin, state: StateDep) -> Deleted:
    """Erase every note of a mentee in this tenant; returns how many were deleted."""

    check_storable({"path.mentee_id": mentee_id})

    def erase() -> int:
        with transaction(state.sessions) as session:
            return delete_mentee(session, principal, mentee_id)

    return Deleted(deleted=await run_in_threadpool(erase))
