"""Switching the active model from the service, as ``mentor-themes models promote`` does:
only a registered version, and only if it scores within tolerance of the active model on
the held-out notes (unless forced). The worker that switches serves it at once; the others
pick it up when they next poll ``models/active``."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from service.errors import Conflict, NotFound
from service.tagging.reload import ModelWatcher
from training.errors import ModelError, TrainingError
from training.promotion import PromotionCheck, check_and_promote
from training.registry import LoadedModel, list_cards, load_model


@dataclass(frozen=True)
class Activation:
    """The version now active and the one before, whether the held-out check was
    overridden, the check itself, and the version this worker serves now."""

    active: str
    previous: str | None
    forced: bool
    check: PromotionCheck
    serving: str


def activate(
    *,
    watcher: ModelWatcher,
    models_dir: Path,
    version: str,
    heldout: Sequence[Path],
    force: bool,
    tolerance: float,
    max_theme_drop: float,
    by: str,
) -> Activation:
    """Promote ``version`` and serve it on this worker (blocking: seconds of scoring).
    NotFound when the registry has no such version, Conflict when it cannot be used or
    fails the held-out check without ``force``."""
    candidate = _registered(models_dir, version)
    try:
        promotion = check_and_promote(
            models_dir,
            candidate,
            heldout=heldout,
            tolerance=tolerance,
            max_theme_drop=max_theme_drop,
            force=force,
            by=by,
        )
    except ModelError as error:
        raise Conflict(str(error)) from error
    except TrainingError as error:
        raise Conflict(f"cannot score the models: {error}") from error
    event = promotion.event
    return Activation(
        active=event["version"],
        previous=event["previous"],
        forced=event["forced"],
        check=promotion.check,
        serving=watcher.check_now(),
    )


def _registered(models_dir: Path, version: str) -> LoadedModel:
    # Only a version folder of the registry: never a path (".", "..", another folder).
    registered = {str(card.get("version")) for card in list_cards(models_dir)}
    if version not in registered:
        raise NotFound(f"no model version {version!r} in the registry")
    try:
        return load_model(models_dir, version)
    except ModelError as error:
        raise Conflict(f"model version {version!r} cannot be used: {error}") from error
