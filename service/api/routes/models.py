"""The active model's card."""

from typing import Any

from fastapi import APIRouter

from service.api.deps import AnyKey, ServicesDep
from service.api.routes import problems

router = APIRouter(prefix="/v1/model", tags=["model"])


def public_card(card: dict[str, Any]) -> dict[str, Any]:
    """The card without the file paths of the machine that trained it."""
    data = dict(card.get("data", {}))
    if "files" in data:
        data["files"] = [{"sha256": entry.get("sha256")} for entry in data["files"]]
    return {**card, "data": data}


@router.get("", responses=problems(401))
async def read_model(_principal: AnyKey, services: ServicesDep) -> dict[str, Any]:
    """The active model's card: version, training data summary, thresholds and CV metrics."""
    return public_card(services.tagging.model.card)
