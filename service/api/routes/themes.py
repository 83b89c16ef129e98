"""The codebook of the active model."""

from fastapi import APIRouter

from service.api.deps import AnyKey, StateDep
from service.api.routes import problems
from service.api.schemas import ThemeInfo, ThemesOut

router = APIRouter(prefix="/themes", tags=["model"])


@router.get("", responses=problems(401))
async def list_themes(_principal: AnyKey, state: StateDep) -> ThemesOut:
    """The themes the active model gives, with definitions and score thresholds."""
    model = state.tagging.model
    described = {label["id"]: label for label in model.card.get("labels", [])}
    thresholds = model.card.get("thresholds", {})
    return ThemesOut(
        model_version=model.version,
        themes=[
            ThemeInfo(
                id=label,
                name=described.get(label, {}).get("name") or label,
                definition=described.get(label, {}).get("definition"),
                threshold=thresholds.get(label),
            )
            for label in model.labels
        ],
    )
