import json
from pathlib import Path

from training.samples import SamplesFile, load_weighted_samples
from training.train import data_summary


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
