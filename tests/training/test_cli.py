import json
import uuid
from dataclasses import replace
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


@pytest.fixture(scope="module")
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


def test_train_writes_a_card_with_both_cross_validations(workspace: Path) -> None:
    active = (workspace / "models" / "active").read_text().strip()
    card = json.loads((workspace / "models" / active / "card.json").read_text())
    assert card["version"] == active
    assert set(card["metrics"]) == {"stratified", "grouped_by_source"}
    assert card["data"]["n"] == 400
    assert len(card["data"]["sha256"]) == 64
    assert set(card["thresholds"]) == {label["id"] for label in card["labels"]}
    assert all(label["definition"] for label in card["labels"])
    assert {"scikit-learn", "spacy"} <= set(card["libraries"])


def test_train_unless_active_does_nothing_when_a_model_is_active(workspace: Path) -> None:
    result = runner.invoke(app, ["train", "--unless-active", "--out", str(workspace / "models")])
    assert result.exit_code == 0
    assert "already" in result.output
    assert len([p for p in (workspace / "models").iterdir() if p.is_dir()]) == 1


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


def test_errors_exit_2_with_the_reason(workspace: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "", "labels": []}\n')
    result = runner.invoke(app, ["train", "--samples", str(bad), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert "bad.jsonl:1: field 'text' of 'a' is empty" in result.output
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


def test_train_weights_each_samples_file_and_records_the_weights(
    tmp_path: Path, small_samples: list[Sample]
) -> None:
    base, exported = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    base.write_text("".join(_sample_line(s) for s in small_samples[:200]))
    exported.write_text(
        "".join(
            _sample_line(replace(s, id=f"note-{uuid.uuid4()}", source="corrections:acme:ann"))
            for s in small_samples[200:230]
        )
    )
    (tmp_path / "config.toml").write_text(FAST_CONFIG)
    result = runner.invoke(
        app,
        ["train", "--samples", str(base), "--samples", f"{exported}:2"]
        + ["--config", str(tmp_path / "config.toml"), "--out", str(tmp_path / "models")],
    )
    assert result.exit_code == 0, result.output
    active = (tmp_path / "models" / "active").read_text().strip()
    card = json.loads((tmp_path / "models" / active / "card.json").read_text())
    files = [(entry["path"], entry["weight"]) for entry in card["data"]["files"]]
    assert files == [(str(base), 1.0), (str(exported), 2.0)]
    assert card["data"]["n"] == 230
    assert "corrections:acme:ann" in card["metrics"]["grouped_by_source"]["per_source_macro_f1"]


@pytest.mark.parametrize("weight", ["0", "abc"])
def test_train_refuses_a_bad_weight_naming_the_option_and_the_value(
    tmp_path: Path, weight: str
) -> None:
    result = runner.invoke(
        app,
        ["train", "--samples", f"b.jsonl:{weight}", "--out", str(tmp_path / "models")],
        env={"COLUMNS": "200"},  # the error box would wrap the message at 80
    )
    assert result.exit_code == 2
    assert (
        f"Invalid value for '--samples': b.jsonl:{weight}: weight '{weight}' must be a positive "
        "finite number"
    ) in result.output
    assert not (tmp_path / "models").exists()


def _sample_line(sample: Sample) -> str:
    record = {"id": sample.id, "text": sample.text, "labels": list(sample.labels)}
    return json.dumps({**record, "source": sample.source}) + "\n"
