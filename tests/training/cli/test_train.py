"""``train``: the card it writes, weighted sample files, and its errors."""

import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.training.cli.conftest import FAST_CONFIG
from training.cli import app
from training.samples import Sample

runner = CliRunner()


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


def test_train_errors_exit_2_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "", "labels": []}\n')
    result = runner.invoke(app, ["train", "--samples", str(bad), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert "bad.jsonl:1: field 'text' of 'a' is empty" in result.output


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


def test_train_writes_to_mentor_themes_models_dir(workspace: Path) -> None:
    result = runner.invoke(
        app,
        ["train", "--unless-active"],
        env={"MENTOR_THEMES_MODELS_DIR": str(workspace / "models")},
    )
    assert result.exit_code == 0, result.output
    assert f"already in {workspace / 'models'}" in result.output


def test_train_holds_out_genre_families_and_scores_the_transfer_set(
    tmp_path: Path, small_samples: list[Sample]
) -> None:
    families = ("education", "health", "workplace")
    for n, family in enumerate(families):
        rows = small_samples[n * 80 : (n + 1) * 80]
        (tmp_path / f"{family}.jsonl").write_text(
            "".join(
                json.dumps({"id": s.id, "text": s.text, "labels": list(s.labels), "family": family})
                + "\n"
                for s in rows
            )
        )
    transfer = small_samples[300:350]
    (tmp_path / "transfer.jsonl").write_text(
        "".join(
            json.dumps({"id": s.id, "text": s.text, "labels": list(s.labels)}) + "\n"
            for s in transfer
        )
    )
    config = FAST_CONFIG.replace(
        "grouped_folds = 2",
        f'grouped_folds = 0\nfamily_folds = 3\ntransfer_set = "{tmp_path / "transfer.jsonl"}"',
    )
    (tmp_path / "config.toml").write_text(config)
    samples = [
        arg for family in families for arg in ("--samples", str(tmp_path / f"{family}.jsonl"))
    ]
    arguments = ["train", *samples, "--config", str(tmp_path / "config.toml")]
    result = runner.invoke(app, [*arguments, "--out", str(tmp_path / "models")])
    assert result.exit_code == 0, result.output
    card = json.loads(next((tmp_path / "models").glob("*/card.json")).read_text())
    assert set(card["metrics"]) == {"stratified", "grouped_by_family"}
    assert card["metrics"]["grouped_by_family"]["folds"] == 3
    assert set(card["metrics"]["grouped_by_family"]["per_family_macro_f1"]) == set(families)
    assert card["transfer"]["report"]["n"] == len(transfer)
    assert "transfer set" in result.output
