"""The transfer development set: two labellings of every note, settled by the codebook,
in many genres, reproducible from its parts, and never seen by training."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from tests.conftest import ROOT, THEMES_PATH
from training.samples import load_samples
from training.themes import load_themes

TRANSFER = ROOT / "data" / "transfer"
DEV = TRANSFER / "dev.jsonl"
STANCES = {"struggling", "progressing", "mentioned"}


def records() -> list[dict[str, object]]:
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]


def test_dev_set_is_rebuilt_exactly_from_notes_labellings_and_settlements(tmp_path: Path) -> None:
    out = tmp_path / "dev.jsonl"
    subprocess.run(
        [sys.executable, "scripts/build_transfer_set.py", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert out.read_text(encoding="utf-8") == DEV.read_text(encoding="utf-8")


def test_dev_set_has_enough_notes_genres_and_families() -> None:
    rows = records()
    assert len(rows) >= 400
    genres = Counter(str(r["genre"]) for r in rows)
    assert len(genres) >= 15 and min(genres.values()) >= 15, genres
    assert len({r["family"] for r in rows}) >= 4
    assert 0.1 <= sum(1 for r in rows if not r["labels"]) / len(rows) <= 0.3


def test_every_label_has_a_stance_and_every_difference_a_rule() -> None:
    themes = {t.id for t in load_themes(THEMES_PATH)}
    for row in records():
        labels = row["labels"]
        assert isinstance(labels, list) and set(labels) <= themes, row["id"]
        stance = row["stance"]
        assert isinstance(stance, dict) and set(stance) == set(labels), row["id"]
        assert set(stance.values()) <= STANCES, row["id"]
        differed = row["labels_a"] != row["labels_b"] or row["stance_a"] != row["stance_b"]
        assert bool(row["settled_by"]) == differed, row["id"]


def test_evidence_passages_are_verbatim() -> None:
    for row in records():
        text = str(row["text"])
        for key in ("evidence_a", "evidence_b"):
            evidence = row[key]
            assert isinstance(evidence, dict)
            for passages in evidence.values():
                assert all(passage in text for passage in passages), (row["id"], key)


def test_no_dev_note_is_a_near_duplicate_of_a_training_note() -> None:
    samples = ROOT / "data" / "samples"
    genres = sorted(samples.glob("genres/*.jsonl"))
    training = load_samples([samples / "notes.jsonl", samples / "holdout.jsonl", *genres])
    dev = [str(r["text"]) for r in records()]
    matrix = TfidfVectorizer(sublinear_tf=True).fit_transform(dev + [s.text for s in training])
    similarity = (matrix[: len(dev)] @ matrix[len(dev) :].T).toarray()
    rows, columns = np.nonzero(similarity > 0.8)
    close = [(records()[r]["id"], training[c].id) for r, c in zip(rows, columns, strict=True)]
    assert not close, close[:10]
    assert not {r["id"] for r in records()} & {s.id for s in training}
