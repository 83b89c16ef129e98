"""The genre samples: training notes in the kinds of writing real mentoring notes come in,
each labelled with themes and a stance per theme, by writers who wrote no evaluation notes."""

import json
from collections import Counter

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from tests.conftest import ROOT, THEMES_PATH
from training.samples import load_samples
from training.themes import load_themes

GENRES = ROOT / "data" / "samples" / "genres"
STANCES = {"struggling", "progressing", "mentioned"}
HARD_KINDS = {
    "logistics_learned",
    "other_person",
    "passing_mention",
    "implicit",
    "setback_lesson",
    "mentor_learning",
    "negation",
    "mixed_stance",
}


def records() -> list[dict[str, object]]:
    return [
        json.loads(line)
        for path in sorted(GENRES.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_genre_samples_load_as_training_samples_with_codebook_labels() -> None:
    themes = {t.id for t in load_themes(THEMES_PATH)}
    samples = load_samples(sorted(GENRES.glob("*.jsonl")), label_set=themes)
    assert len(samples) == len(records())


def test_every_label_has_one_stance_and_hard_cases_say_why() -> None:
    for row in records():
        stance = row["stance"]
        assert isinstance(stance, dict) and set(stance) == set(row["labels"]), row["id"]
        assert set(stance.values()) <= STANCES, row["id"]
        assert row["source"] == row["genre"], row["id"]
        if row.get("hard"):
            assert row.get("hard_kind") in HARD_KINDS, row["id"]


def test_many_genres_in_several_families_with_every_theme_and_no_theme_notes() -> None:
    rows = records()
    genres = Counter(str(r["genre"]) for r in rows)
    assert len(genres) >= 30 and min(genres.values()) >= 50, genres
    assert len({r["family"] for r in rows}) >= 6
    themes = Counter(label for r in rows for label in r["labels"])
    assert min(themes.values()) >= 0.12 * len(rows), themes
    assert 0.08 <= sum(1 for r in rows if not r["labels"]) / len(rows) <= 0.25
    assert sum(1 for r in rows if r.get("hard")) >= 0.25 * len(rows)
    words = [len(str(r["text"]).split()) for r in rows]
    assert min(words) <= 5 and max(words) >= 250


def test_writers_of_training_notes_wrote_no_transfer_notes() -> None:
    dev = ROOT / "data" / "transfer" / "dev.jsonl"
    dev_writers = {json.loads(line)["writer"] for line in dev.read_text().splitlines()}
    assert not dev_writers & {r["writer"] for r in records()}


def test_no_two_genre_notes_are_near_duplicates() -> None:
    rows = records()
    matrix = TfidfVectorizer(sublinear_tf=True).fit_transform([str(r["text"]) for r in rows])
    close = []
    for start in range(0, len(rows), 1000):
        block = (matrix[start : start + 1000] @ matrix.T).toarray()
        for r, c in zip(*np.nonzero(block > 0.9), strict=True):
            if start + r < c:
                close.append((rows[start + r]["id"], rows[c]["id"]))
    assert not close, close[:10]


def test_a_second_labeller_agrees_with_the_writers_on_300_notes() -> None:
    """The figures the data card quotes: per-theme Cohen's kappa of 300 random genre notes
    labelled again by someone who did not see the writers' labels, and stance agreement."""
    from sklearn.metrics import cohen_kappa_score

    second_path = ROOT / "data" / "samples" / "second_labelling" / "genres_sample.jsonl"
    second = {r["id"]: r for r in map(json.loads, second_path.read_text().splitlines())}
    writers = {r["id"]: r for r in records() if r["id"] in second}
    assert len(second) == len(writers) >= 300
    ids = sorted(second)
    agree = both = 0
    for theme in {t.id for t in load_themes(THEMES_PATH)}:
        first = [theme in writers[i]["labels"] for i in ids]
        again = [theme in second[i]["labels"] for i in ids]
        assert cohen_kappa_score(first, again) >= 0.8, theme
        shared = [i for i in ids if theme in writers[i]["labels"] and theme in second[i]["labels"]]
        both += len(shared)
        agree += sum(writers[i]["stance"][theme] == second[i]["stance"][theme] for i in shared)
    assert agree / both >= 0.9
