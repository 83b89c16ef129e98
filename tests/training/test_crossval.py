import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

import numpy as np
import pytest

from training.crossval import Scheme, cross_validate, make_folds
from training.errors import ConfigError
from training.estimator import ThemeTagger
from training.samples import Sample


def test_grouped_folds_never_share_a_source(small_samples: list[Sample]) -> None:
    labels = sorted({label for s in small_samples for label in s.labels})
    folds = make_folds(small_samples, labels, scheme="grouped", n_splits=4, seed=1)
    assert len(folds) == 4
    for fold in folds:
        train_sources = {small_samples[i].source for i in fold.train}
        test_sources = {small_samples[i].source for i in fold.test}
        assert not train_sources & test_sources


def test_stratified_folds_partition_the_samples(small_samples: list[Sample]) -> None:
    labels = sorted({label for s in small_samples for label in s.labels})
    folds = make_folds(small_samples, labels, scheme="stratified", n_splits=3, seed=1)
    tested = sorted(i for fold in folds for i in fold.test.tolist())
    assert tested == list(range(len(small_samples)))
    for fold in folds:
        assert not set(fold.train.tolist()) & set(fold.test.tolist())


def test_cross_validate_scores_every_note_out_of_fold(small_samples: list[Sample]) -> None:
    subset = small_samples[:300]
    seen: list[str] = []
    result = cross_validate(
        ThemeTagger(threshold_folds=2),
        subset,
        scheme="grouped",
        n_splits=3,
        seed=1,
        on_fold=seen.append,
    )
    assert result["folds"] == 3 == len(seen)
    assert result["pooled"]["n"] == len(subset)
    assert 0.2 < result["pooled"]["macro_f1"] <= 1.0
    assert set(result["per_source_macro_f1"]) == {s.source for s in subset}


class RecordingTagger(ThemeTagger):
    """A ThemeTagger that records the notes and weights each fold's fit receives."""

    fits: ClassVar[list[tuple[list[str], list[float] | None]]] = []

    def fit(
        self,
        X: Sequence[str],
        y: Sequence[Sequence[str]],
        *,
        groups: Sequence[str] | None = None,
        sample_weight: Sequence[float] | np.ndarray | None = None,
    ) -> "RecordingTagger":
        weights = None if sample_weight is None else [float(w) for w in sample_weight]
        RecordingTagger.fits.append((list(X), weights))
        super().fit(X, y, groups=groups, sample_weight=sample_weight)
        return self


def corrections(samples: Sequence[Sample]) -> list[Sample]:
    """Notes as the service exports corrections: uuid ids, one tenant and reviewer."""
    return [replace(s, id=f"note-{uuid.uuid4()}", source="corrections:acme:ann") for s in samples]


@pytest.mark.parametrize("scheme", ["grouped", "stratified"])
def test_each_fold_fits_with_the_weights_of_its_training_notes_only(
    small_samples: list[Sample], scheme: Scheme
) -> None:
    samples = small_samples[:150] + corrections(small_samples[150:170])
    weights = [1.0] * 150 + [4.0] * 20
    weight_of = {s.text: w for s, w in zip(samples, weights, strict=True)}
    RecordingTagger.fits.clear()
    result = cross_validate(
        RecordingTagger(threshold_folds=2),
        samples,
        scheme=scheme,
        n_splits=3,
        seed=1,
        sample_weight=weights,
    )
    assert len(RecordingTagger.fits) == 3
    trained = [text for texts, _ in RecordingTagger.fits for text in texts]
    assert len(trained) == 2 * len(samples)  # every note is in the training part of 2 folds
    for texts, received in RecordingTagger.fits:
        assert received == [weight_of[text] for text in texts]
    # Scores count each note once, whatever its weight.
    assert result["pooled"]["n"] == len(samples)
    skills = sum("skills" in s.labels for s in samples)
    assert result["pooled"]["per_theme"]["skills"]["support"] == skills
    assert "corrections:acme:ann" in result["per_source_macro_f1"]


def test_weights_must_match_the_samples(small_samples: list[Sample]) -> None:
    with pytest.raises(ConfigError, match="sample_weight has 2 weights but there are 5 samples"):
        cross_validate(
            ThemeTagger(),
            small_samples[:5],
            scheme="stratified",
            n_splits=2,
            seed=1,
            sample_weight=[1.0, 2.0],
        )


def test_family_folds_hold_out_whole_genre_families(small_samples: list[Sample]) -> None:
    families = ("education", "health", "workplace", "notes")
    samples = [replace(s, family=families[i % 4]) for i, s in enumerate(small_samples)]
    labels = sorted({label for s in samples for label in s.labels})
    folds = make_folds(samples, labels, scheme="family", n_splits=8, seed=1)
    assert len(folds) == 4  # one family per fold: no more families than splits
    for fold in folds:
        tested = {samples[i].family for i in fold.test}
        assert len(tested) == 1 and fold.name == tested.pop()
        assert fold.name not in {samples[i].family for i in fold.train}
