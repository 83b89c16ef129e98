"""``agreement``: a table row per theme."""

import json
from pathlib import Path

from typer.testing import CliRunner

from training.cli import app

runner = CliRunner()


def test_agreement_command_prints_a_row_per_theme(tmp_path: Path) -> None:
    for name, labels in (("a", ["career"]), ("b", ["career", "skills"])):
        rows = [{"id": "n1", "text": "Applied for the lead role.", "labels": labels},
                {"id": "n2", "text": "Moved our call.", "labels": []}]  # fmt: skip
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = runner.invoke(app, ["agreement", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")])
    assert result.exit_code == 0, result.output
    assert "agreement on 2 notes" in result.output and "career" in result.output
    assert "1.000" in result.output  # career: perfect agreement
