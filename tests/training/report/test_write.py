"""Writing the report: the page, errors.jsonl and report.json."""

import json
from pathlib import Path

import numpy as np

from training.estimator import ThemeTagger
from training.samples import Sample


def test_write_report_writes_a_self_contained_page_errors_and_numbers(written: Path) -> None:
    files = sorted(p.name for p in written.iterdir())
    assert files == ["errors.jsonl", "index.html", "report.json"]
    page = (written / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "<svg" in page and 'href="errors.jsonl"' in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
    summary = json.loads((written / "report.json").read_text(encoding="utf-8"))
    assert summary["model_version"] == "v<1>"
    assert {"metrics", "confusion", "pr_curves", "learning_curve", "thresholds"} <= set(summary)


def test_errors_are_exactly_the_notes_whose_predicted_set_differs(
    written: Path, tagger: ThemeTagger, notes: list[Sample]
) -> None:
    labels = [str(label) for label in tagger.classes_]
    predicted = tagger.predict([note.text for note in notes])
    expected_ids = [
        note.id
        for note, row in zip(notes, predicted, strict=True)
        if {labels[j] for j in np.flatnonzero(row)} != set(note.labels)
    ]
    lines = [json.loads(line) for line in (written / "errors.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == expected_ids
    assert 0 < len(lines) < len(notes)
    by_id = {note.id: note for note in notes}
    for line in lines:
        assert line["text"] == by_id[line["id"]].text
        assert line["expected"] == sorted(by_id[line["id"]].labels)
        assert set(line["missed"]) == set(line["expected"]) - set(line["predicted"])
        assert set(line["extra"]) == set(line["predicted"]) - set(line["expected"])
        assert set(line["scores"]) == set(labels)
        assert all(round(score, 4) == score for score in line["scores"].values())
