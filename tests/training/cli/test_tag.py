"""``tag``: one note or a file of them, with evidence."""

import json
from pathlib import Path

from typer.testing import CliRunner

from training.cli import app

runner = CliRunner()


def test_tag_text_prints_themes_with_evidence(workspace: Path) -> None:
    text = "She was turned down for the promotion and is applying for other jobs now."
    result = runner.invoke(app, ["tag", text, "--json", "--models-dir", str(workspace / "models")])
    assert result.exit_code == 0, result.output
    tagged = json.loads(result.output)
    assert "career" in [theme["theme"] for theme in tagged["themes"]]
    for theme in tagged["themes"]:
        for evidence in theme["evidence"]:
            assert text[evidence["start"] : evidence["end"]] == evidence["text"]


def test_tag_batch_writes_one_line_per_note(workspace: Path) -> None:
    notes = workspace / "in.jsonl"
    notes.write_text('{"id": "a", "text": "Rescheduled to Monday."}\n{"id": "b", "text": "x"}\n')
    out = workspace / "out.jsonl"
    result = runner.invoke(
        app,
        [
            "tag",
            "--input",
            str(notes),
            "--output",
            str(out),
            "--models-dir",
            str(workspace / "models"),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert lines[0]["themes"] == []
    assert all(line["model_version"] for line in lines)


def test_tag_errors_exit_2_with_the_reason(workspace: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["tag", "hello", "--models-dir", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "no active model" in result.output
    result = runner.invoke(app, ["tag", "--models-dir", str(workspace / "models")])
    assert result.exit_code == 2
    assert "give either a TEXT argument or --input" in result.output
    notes = tmp_path / "notes.jsonl"
    notes.write_text('{"text": "fine"}\n{"id": "b"}\n')
    result = runner.invoke(
        app, ["tag", "--input", str(notes), "--models-dir", str(workspace / "models")]
    )
    assert result.exit_code == 2
    assert "notes.jsonl:2: each line needs a string field 'text'" in result.output
