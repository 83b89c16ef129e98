"""Promotion gated on held-out scores, its history, and rollback, through the CLI."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from training.cli import app
from training.estimator import ThemeTagger
from training.registry import library_versions, read_active, save_model
from training.samples import Sample

runner = CliRunner()


def card_for(tagger: ThemeTagger) -> dict[str, object]:
    return {
        "labels": [{"id": str(label)} for label in tagger.classes_],
        "thresholds": {},
        "data": {"n": 1},
        "metrics": {"stratified": {"pooled": {"macro_f1": 0.5}}},
        "libraries": library_versions(),
    }


@pytest.fixture
def registry(tmp_path: Path, fitted_tagger: ThemeTagger, small_samples: list[Sample]) -> Path:
    """Three versions: the good session tagger (active), a copy of it, and a weak one
    trained on 60 notes."""
    models = tmp_path / "models"
    save_model(models, "v1-good", fitted_tagger, card_for(fitted_tagger))
    save_model(models, "v2-same", fitted_tagger, card_for(fitted_tagger))
    weak = ThemeTagger(features=("words",), threshold_folds=2, random_state=1).fit(
        [s.text for s in small_samples[:60]], [s.labels for s in small_samples[:60]]
    )
    save_model(models, "v3-weak", weak, card_for(weak))
    heldout = tmp_path / "heldout.jsonl"
    heldout.write_text(
        "".join(
            json.dumps({"id": s.id, "text": s.text, "labels": list(s.labels), "source": s.source})
            + "\n"
            for s in small_samples[-200:]
        )
    )
    return models


def invoke(registry: Path, *args: str) -> Any:
    extra = ["--heldout", str(registry.parent / "heldout.jsonl")] if args[0] == "promote" else []
    return runner.invoke(app, ["models", *args, "--models-dir", str(registry), *extra])


def test_an_equal_candidate_is_promoted_and_recorded(registry: Path) -> None:
    result = invoke(registry, "promote", "v2-same", "--by", "ana")
    assert result.exit_code == 0, result.output
    assert read_active(registry) == "v2-same"
    listed = invoke(registry, "list").output
    assert "v2-same *" in listed and "promote v2-same (from v1-good) by ana" in listed


def test_a_worse_candidate_is_refused_unless_forced(registry: Path) -> None:
    refused = invoke(registry, "promote", "v3-weak")
    assert refused.exit_code == 2
    assert "not promoting v3-weak" in refused.output and "--force" in refused.output
    assert read_active(registry) == "v1-good"
    assert not (registry / "history.jsonl").exists()
    forced = invoke(registry, "promote", "v3-weak", "--force")
    assert forced.exit_code == 0 and read_active(registry) == "v3-weak"
    assert "FORCED" in invoke(registry, "list").output


def test_rollback_returns_to_the_version_before_the_last_promotion(registry: Path) -> None:
    assert invoke(registry, "rollback").exit_code == 2  # nothing promoted yet
    invoke(registry, "promote", "v2-same")
    result = invoke(registry, "rollback", "--by", "ops")
    assert result.exit_code == 0 and read_active(registry) == "v1-good"
    history = (registry / "history.jsonl").read_text().splitlines()
    assert [json.loads(line)["action"] for line in history] == ["promote", "rollback"]
    assert invoke(registry, "rollback").exit_code == 2


def test_compare_prints_both_models_and_the_difference(registry: Path) -> None:
    heldout = str(registry.parent / "heldout.jsonl")
    result = runner.invoke(
        app,
        [
            "models",
            "compare",
            "v1-good",
            "v3-weak",
            "--data",
            heldout,
            "--models-dir",
            str(registry),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "B - A" in result.output and "macro f1" in result.output
    assert "-0." in result.output  # the weak model is worse somewhere


def test_show_prints_the_card(registry: Path) -> None:
    result = invoke(registry, "show", "v1-good")
    assert json.loads(result.output)["version"] == "v1-good"


def test_the_models_dir_comes_from_mentor_themes_models_dir(registry: Path) -> None:
    result = runner.invoke(app, ["models", "list"], env={"MENTOR_THEMES_MODELS_DIR": str(registry)})
    assert result.exit_code == 0, result.output
    assert "v1-good *" in result.output


def test_promote_without_the_default_heldout_file_says_to_give_heldout(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no data/samples/holdout.jsonl here
    result = runner.invoke(app, ["models", "promote", "v2-same", "--models-dir", str(registry)])
    assert result.exit_code == 2
    assert "data/samples/holdout.jsonl, the default of --heldout, is not found" in result.output
    assert read_active(registry) == "v1-good"
