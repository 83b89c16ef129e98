"""The active model's card, and switching the active model over HTTP."""

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from service.api.deps import Admin, AnyKey, StateDep
from service.api.routes import problems
from service.api.schemas import ActivateIn, ActivateOut
from service.tagging.activation import activate

router = APIRouter(tags=["model"])


PUBLIC_FIELDS = (
    "version",
    "created_at",
    "sha256",
    "labels",
    "thresholds",
    "config",
    "metrics",
    "libraries",
)
PUBLIC_DATA_FIELDS = ("sha256", "n", "per_theme", "no_theme", "per_source", "labels_per_note")


def public_card(card: dict[str, Any]) -> dict[str, Any]:
    """The card's fields that say what the model is and how it scored, by allow-list, so
    a field added later (a path, say) is not published by accident."""
    public = {field: card[field] for field in PUBLIC_FIELDS if field in card}
    data = card.get("data", {})
    public["data"] = {field: data[field] for field in PUBLIC_DATA_FIELDS if field in data}
    public["data"]["files"] = [{"sha256": entry.get("sha256")} for entry in data.get("files", [])]
    return public


@router.get("/model", responses=problems(401))
async def read_model(_principal: AnyKey, state: StateDep) -> dict[str, Any]:
    """The active model's card: version, training data summary, thresholds and CV metrics."""
    return public_card(state.tagging.model.card)


@router.post("/models/{version}/activate", responses=problems(401, 403, 404, 409, 422))
async def activate_model(
    version: str, body: ActivateIn, principal: Admin, state: StateDep
) -> ActivateOut:
    """Promote a model version, as `mentor-themes models promote` does: it must score
    within tolerance of the active model on the held-out notes unless `force`. Every worker
    picks it up within the poll interval; this one at once. It changes the model of every
    tenant this service holds."""
    done = await run_in_threadpool(
        activate,
        watcher=state.watcher,
        models_dir=state.settings.models_dir,
        version=version,
        heldout=state.settings.heldout_paths,
        force=body.force,
        tolerance=body.tolerance,
        max_theme_drop=body.max_theme_drop,
        by=f"api:{principal.tenant_id}/{principal.key_id}",
    )
    check = done.check
    return ActivateOut(
        active=done.active,
        previous=done.previous,
        serving=done.serving,
        heldout_macro_f1=round(check.candidate["macro_f1"], 4),
        previous_heldout_macro_f1=round(check.active["macro_f1"], 4) if check.active else None,
        forced=done.forced,
        problems=check.problems,
    )
