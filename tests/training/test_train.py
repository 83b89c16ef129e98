import json
from pathlib import Path

from training.config import load_config
from training.samples import SamplesFile, load_weighted_samples
from training.themes import load_themes
from training.train import data_summary, make_tagger


def test_data_summary_records_each_files_weight_and_unweighted_counts(tmp_path: Path) -> None:
    base = tmp_path / "notes.jsonl"
    base.write_text(json.dumps({"id": "a", "text": "Practised SQL.", "labels": ["skills"]}) + "\n")
    corrections = tmp_path / "corrections.jsonl"
    corrections.write_text(
        json.dumps(
            {
                "id": "note-0b8e0c52-6f1e-4c1e-9d59-2f0f4c1f7a10",
                "text": "Met two alumni at the meetup.",
                "labels": ["networking"],
                "source": "corrections:acme:ann",
            }
        )
        + "\n"
    )
    files = [SamplesFile(base), SamplesFile(corrections, 2.5)]
    samples, _ = load_weighted_samples(files)
    summary = data_summary(files, samples)
    assert [(f["path"], f["weight"]) for f in summary["files"]] == [
        (str(base), 1.0),
        (str(corrections), 2.5),
    ]
    assert summary["n"] == 2
    assert summary["per_theme"] == {"networking": 1, "skills": 1}
    assert summary["per_source"] == {"corrections:acme:ann": 1, "notes": 1}


def test_make_tagger_passes_the_config_values_and_the_seed() -> None:
    config = load_config()
    tagger = make_tagger(config.model, seed=config.seed, themes=load_themes())
    assert tagger.get_params() == {
        **config.model.model_dump(),
        "random_state": config.seed,
        "signals": None,  # the default design has no signals block
    }
