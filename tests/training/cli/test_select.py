"""``select``: every candidate design compared."""

import json
from pathlib import Path

from typer.testing import CliRunner

from training.cli import app
from training.samples import Sample

runner = CliRunner()


def test_select_compares_every_candidate(workspace: Path, small_samples: list[Sample]) -> None:
    out = workspace / "selection.json"
    result = runner.invoke(
        app,
        [
            "select",
            "--samples",
            str(workspace / "samples.jsonl"),
            "--config",
            str(workspace / "config.toml"),
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    comparison = json.loads(out.read_text())
    assert set(comparison["candidates"]) == {"words", "words_subwords"}
    assert comparison["best"] in comparison["candidates"]
