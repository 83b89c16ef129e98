"""The active model's card."""

from typing import Any

from fastapi import APIRouter

from service.api.deps import AnyKey, ServicesDep
from service.api.routes import problems

router = APIRouter(prefix="/v1/model", tags=["model"])


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


@router.get("", responses=problems(401))
async def read_model(_principal: AnyKey, services: ServicesDep) -> dict[str, Any]:
    """The active model's card: version, training data summary, thresholds and CV metrics."""
    return public_card(services.tagging.model.card)
