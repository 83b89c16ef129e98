"""Stateless tagging: texts in, themes out, nothing stored."""

import asyncio

from fastapi import APIRouter

from service.api.convert import check_count, text_problem, themes_out
from service.api.deps import AnyKey, StateDep
from service.api.routes import problems
from service.api.schemas import TagIn, TagOut, TagResult
from service.errors import InvalidInput

router = APIRouter(prefix="/tag", tags=["tagging"])


@router.post("", responses=problems(401, 413, 422))
async def tag_texts(body: TagIn, _principal: AnyKey, state: StateDep) -> TagOut:
    """Tag up to 100 texts with themes and evidence without storing anything."""
    settings = state.settings
    check_count(body.texts, "body.texts", settings.max_tag_texts, "text")
    found = [text_problem(text, f"body.texts.{i}", settings) for i, text in enumerate(body.texts)]
    if any(found):
        raise InvalidInput([problem for problem in found if problem is not None])
    tagged = await asyncio.wrap_future(state.tagging.submit(body.texts))
    return TagOut(
        model_version=tagged.model_version,
        results=[TagResult(themes=themes_out(note.matches)) for note in tagged.results],
    )
