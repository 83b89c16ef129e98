"""Activating a model version from the service: only a registered version, scored on the
held-out notes, served by this worker at once."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.errors import Conflict, NotFound
from service.tagging.activation import Activation, activate
from service.tagging.queue import TaggingQueue
from service.tagging.reload import ModelWatcher
from training.registry import load_model, read_active

NEXT = "20260202-000000-next"


@pytest.fixture
def watcher(registry: Path) -> Iterator[ModelWatcher]:
    tagging = TaggingQueue(load_model(registry))
    watching = ModelWatcher(tagging, registry, poll_seconds=0)
    yield watching
    watching.close()
    tagging.close()


def activation(
    watcher: ModelWatcher,
    registry: Path,
    version: str,
    heldout: Path,
) -> Activation:
    return activate(
        watcher=watcher, models_dir=registry, version=version, heldout=[heldout],
        force=False, tolerance=0.01, max_theme_drop=0.05, by="test",
    )  # fmt: skip


def test_activate_promotes_scores_and_serves_the_version(
    watcher: ModelWatcher, registry: Path, heldout: Path
) -> None:
    done = activation(watcher, registry, NEXT, heldout)
    assert done.active == done.serving == NEXT
    assert done.previous == "20260101-000000-test" and not done.forced
    assert done.check.candidate["n"] == 100 and not done.check.problems
    assert read_active(registry) == NEXT


@pytest.mark.parametrize("version", [".", "..", "nope"])
def test_activate_refuses_what_is_not_a_registered_version(
    watcher: ModelWatcher,
    registry: Path,
    tmp_path: Path,
    version: str,
) -> None:
    with pytest.raises(NotFound, match=f"no model version '{version}' in the registry"):
        activation(watcher, registry, version, tmp_path / "unused.jsonl")
    assert read_active(registry) == "20260101-000000-test"


def test_activate_without_held_out_notes_is_a_conflict_and_changes_nothing(
    watcher: ModelWatcher,
    registry: Path,
    tmp_path: Path,
) -> None:
    with pytest.raises(Conflict, match="cannot score the models: .*missing.jsonl"):
        activation(watcher, registry, NEXT, tmp_path / "missing.jsonl")
    assert read_active(registry) == "20260101-000000-test"
