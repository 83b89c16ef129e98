"""A registry with one model trained through the CLI, shared by the command tests."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from training.cli import app
from training.samples import Sample

runner = CliRunner()

FAST_CONFIG = """
seed = 5
[model]
features = ["words", "subwords"]
threshold_folds = 2
[evaluation]
stratified_folds = 2
grouped_folds = 2
[selection.candidates.words]
features = ["words"]
[selection.candidates.words_subwords]
features = ["words", "subwords"]
"""


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory, small_samples: list[Sample]) -> Path:
    """A registry with one model trained through the CLI on a few hundred real notes."""
    root = tmp_path_factory.mktemp("cli")
    samples = root / "samples.jsonl"
    samples.write_text(
        "".join(
            json.dumps({"id": s.id, "text": s.text, "labels": list(s.labels), "source": s.source})
            + "\n"
            for s in small_samples[:400]
        )
    )
    (root / "config.toml").write_text(FAST_CONFIG)
    result = runner.invoke(
        app,
        [
            "train",
            "--samples",
            str(samples),
            "--config",
            str(root / "config.toml"),
            "--out",
            str(root / "models"),
        ],
    )
    assert result.exit_code == 0, result.output
    return root
