"""``select``: every candidate design compared."""

import json
from pathlib import Path

import pytest
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


def test_select_without_the_default_samples_file_says_to_give_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # not a checkout: no data/samples/notes.jsonl
    result = runner.invoke(app, ["select"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert (
        "data/samples/notes.jsonl, the default of --samples, is not found in the working "
        "directory; give --samples PATH"
    ) in result.output
