"""Shared fixtures: real labelled notes and a small tagger trained on them once per session."""

from pathlib import Path

import pytest

from training.estimator import ThemeTagger
from training.samples import Sample, load_samples

ROOT = Path(__file__).resolve().parent.parent
SAMPLES_PATH = ROOT / "data" / "samples" / "notes.jsonl"
THEMES_PATH = ROOT / "training" / "themes.json"
HOLDOUT_PATH = ROOT / "data" / "samples" / "holdout.jsonl"


@pytest.fixture(scope="session")
def all_samples() -> list[Sample]:
    return load_samples([SAMPLES_PATH])


@pytest.fixture(scope="session")
def small_samples(all_samples: list[Sample]) -> list[Sample]:
    """Every fifth note: enough for every theme and source, quick to fit."""
    return all_samples[::5]


@pytest.fixture(scope="session")
def fitted_tagger(small_samples: list[Sample]) -> ThemeTagger:
    return ThemeTagger(threshold_folds=3, random_state=7).fit(
        [s.text for s in small_samples],
        [s.labels for s in small_samples],
        groups=[s.source for s in small_samples],
    )
