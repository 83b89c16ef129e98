"""Tagging fixtures: a model registry with two versions to switch between, and held-out
notes to score them on."""

import json
import shutil
from pathlib import Path

import pytest

from training.estimator import ThemeTagger
from training.registry import read_active
from training.samples import Sample


@pytest.fixture
def registry(tmp_path: Path, models_dir: Path, fitted_tagger: ThemeTagger) -> Path:
    """A copy of the session registry with a second version beside the first."""
    folder = tmp_path / "models"
    shutil.copytree(models_dir, folder)
    active = read_active(folder)
    assert active is not None
    second = folder / "20260202-000000-next"
    shutil.copytree(folder / active, second)
    card = json.loads((second / "card.json").read_text())
    card["version"] = second.name
    (second / "card.json").write_text(json.dumps(card))
    return folder


@pytest.fixture
def heldout(tmp_path: Path, small_samples: list[Sample]) -> Path:
    """A held-out samples file: the last 100 of the small samples."""
    path = tmp_path / "heldout.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": s.id, "text": s.text, "labels": list(s.labels)}) + "\n"
            for s in small_samples[-100:]
        )
    )
    return path
