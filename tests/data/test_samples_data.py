"""The shipped samples: valid, varied enough to generalise from, and free of near-duplicates."""

from collections import Counter

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from tests.conftest import HOLDOUT_PATH, SAMPLES_PATH, THEMES_PATH
from training.samples import Sample, load_samples
from training.themes import load_themes

NEAR_DUPLICATE_COSINE = 0.9


def test_samples_validate_against_the_codebook() -> None:
    themes = load_themes(THEMES_PATH)
    assert [t.id for t in themes] == [
        "confidence",
        "resilience",
        "networking",
        "skills",
        "learning",
        "career",
    ]
    samples = load_samples([SAMPLES_PATH], label_set={t.id for t in themes})
    lines = [line for line in SAMPLES_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(samples) == len(lines)


def test_samples_are_many_varied_and_balanced(all_samples: list[Sample]) -> None:
    per_theme = Counter(label for s in all_samples for label in s.labels)
    assert len(all_samples) >= 2000
    assert len({s.source for s in all_samples}) >= 12
    assert min(per_theme.values()) >= 250, per_theme
    assert sum(1 for s in all_samples if not s.labels) >= 200
    assert sum(1 for s in all_samples if len(s.labels) >= 2) >= 0.4 * len(all_samples)
    words = [len(s.text.split()) for s in all_samples]
    assert min(words) <= 5 and max(words) >= 200


def test_hard_cases_are_marked() -> None:
    import json

    records = [json.loads(line) for line in SAMPLES_PATH.read_text(encoding="utf-8").splitlines()]
    hard = Counter(r.get("hard_kind") for r in records if r.get("hard"))
    assert sum(hard.values()) >= 300
    assert {"negation", "passing_mention", "implicit", "mentor_learning"} <= set(hard)


def test_no_two_notes_are_near_duplicates(all_samples: list[Sample]) -> None:
    holdout = load_samples([HOLDOUT_PATH])
    notes = all_samples + holdout
    texts = [s.text for s in notes]
    matrix = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    pairs = []
    for start in range(0, len(texts), 1000):
        block = (matrix[start : start + 1000] @ matrix.T).toarray()
        rows, columns = np.nonzero(block > NEAR_DUPLICATE_COSINE)
        pairs += [
            (notes[start + r].id, notes[c].id, round(float(block[r, c]), 3))
            for r, c in zip(rows, columns, strict=True)
            if start + r < c
        ]
    assert not pairs, f"near-duplicate notes (id, id, cosine): {pairs[:20]}"


def test_holdout_is_valid_and_shares_no_source_with_training(all_samples: list[Sample]) -> None:
    themes = load_themes(THEMES_PATH)
    holdout = load_samples([HOLDOUT_PATH], label_set={t.id for t in themes})
    assert len(holdout) >= 200
    assert not {s.source for s in holdout} & {s.source for s in all_samples}
    assert not {s.id for s in holdout} & {s.id for s in all_samples}
