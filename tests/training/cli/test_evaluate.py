"""``evaluate``: metrics as JSON and the full report."""

import json
from pathlib import Path

from typer.testing import CliRunner

from training.cli import app
from training.samples import Sample

runner = CliRunner()


def test_evaluate_writes_the_documented_json(workspace: Path, small_samples: list[Sample]) -> None:
    data = workspace / "eval.jsonl"
    data.write_text(
        "".join(
            json.dumps({"id": s.id, "text": s.text, "labels": list(s.labels)}) + "\n"
            for s in small_samples[400:500]
        )
    )
    out = workspace / "metrics.json"
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--data",
            str(data),
            "--json",
            str(out),
            "--models-dir",
            str(workspace / "models"),
        ],
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text())
    assert metrics["n"] == 100
    assert {"macro_f1", "micro_f1", "per_theme", "no_theme_accuracy", "confusions"} <= set(metrics)
    assert set(metrics["per_theme"]["skills"]) == {"precision", "recall", "f1", "support"}


def test_evaluate_report_fits_the_learning_curve_on_the_card_data(
    workspace: Path, small_samples: list[Sample]
) -> None:
    data = workspace / "eval-report.jsonl"
    data.write_text(
        "".join(
            json.dumps({"id": s.id, "text": s.text, "labels": list(s.labels)}) + "\n"
            for s in [*small_samples[400:440], *small_samples[:2]]  # two are training notes
        )
    )
    out = workspace / "report"
    result = runner.invoke(
        app,
        ["evaluate", "--data", str(data), "--report", str(out)]
        + ["--models-dir", str(workspace / "models")],
    )
    assert result.exit_code == 0, result.output
    assert "macro F1" in result.output and "report written to" in result.output
    summary = json.loads((out / "report.json").read_text())
    assert summary["training_data"] == [str(workspace / "samples.jsonl")]
    curve = summary["learning_curve"]
    assert (curve["n_excluded"], curve["n_available"]) == (2, 398)
    assert [point["n_train"] for point in curve["points"]] == [40, 100, 199, 298, 398]
    errors = (out / "errors.jsonl").read_text().splitlines()
    assert len(errors) == summary["n_errors"] > 0
    assert "errors.jsonl" in (out / "index.html").read_text()
