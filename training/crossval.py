"""Generalisation estimates: multi-label stratified k-fold; k-fold grouped by source (every
note is predicted by a model that never saw a note of its voice or genre); and k-fold
grouped by genre family (a model that never saw a note of that family of writing: the
nearest the samples come to notes of a kind nobody wrote for us).

Every fold clones the estimator and fits it on the training part only, so vocabularies,
IDF weights and thresholds never see the held-out notes. Sample weights go to those fits
only: the scores count every held-out note once.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TypedDict

import numpy as np
from iterstrat.ml_stratifiers import MultilabelStratifiedKFold
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from training.errors import ConfigError
from training.estimator import ThemeTagger
from training.metrics import Report, evaluate, indicator
from training.samples import Sample

Scheme = Literal["stratified", "grouped", "family"]


class CVResult(TypedDict):
    scheme: str
    folds: int
    pooled: Report
    fold_macro_f1_mean: float
    fold_macro_f1_std: float
    per_source_macro_f1: dict[str, float]
    per_family_macro_f1: dict[str, float]


@dataclass(frozen=True)
class Fold:
    name: str
    train: np.ndarray
    test: np.ndarray


def make_folds(
    samples: Sequence[Sample], labels: Sequence[str], *, scheme: Scheme, n_splits: int, seed: int
) -> list[Fold]:
    """Stratified: folds balanced on every theme. Grouped: folds of whole sources; family:
    folds of whole genre families (one group per fold when there are no more groups than
    ``n_splits``)."""
    truth = indicator([s.labels for s in samples], labels)
    placeholder = np.zeros(len(samples))
    if scheme == "stratified":
        splitter = MultilabelStratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        return [
            Fold(f"fold {i + 1}", train, test)
            for i, (train, test) in enumerate(splitter.split(placeholder, truth))
        ]
    groups = [s.family if scheme == "family" else s.source for s in samples]
    n_groups = min(n_splits, len(set(groups)))
    return [
        Fold("+".join(sorted({groups[i] for i in test})), train, test)
        for train, test in GroupKFold(n_splits=n_groups).split(placeholder, truth, groups=groups)
    ]


def cross_validate(
    estimator: ThemeTagger,
    samples: Sequence[Sample],
    *,
    scheme: Scheme,
    n_splits: int,
    seed: int,
    sample_weight: Sequence[float] | None = None,
    on_fold: Callable[[str], None] | None = None,
) -> CVResult:
    """Out-of-fold predictions for every sample, scored pooled and per fold.

    Parameters
    ----------
    estimator
        Cloned and fitted afresh on each fold's training part.
    samples
        The labelled notes.
    scheme, n_splits, seed
        How the folds are made (see `make_folds`).
    sample_weight
        One weight per sample; each fold's fit gets those of its training part. The
        scores are unweighted.
    on_fold
        Called with each fold's name once it is scored.
    """
    if sample_weight is not None and len(sample_weight) != len(samples):
        raise ConfigError(
            f"sample_weight has {len(sample_weight)} weights but there are {len(samples)} samples"
        )
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    labels = sorted({label for sample in samples for label in sample.labels})
    truth = indicator([s.labels for s in samples], labels)
    predicted = np.zeros_like(truth)
    fold_scores: dict[str, float] = {}
    sources = np.array([s.source for s in samples])
    families = np.array([s.family for s in samples])
    for fold in make_folds(samples, labels, scheme=scheme, n_splits=n_splits, seed=seed):
        fold_weights = None if weights is None else weights[fold.train]
        fold_prediction = _fit_and_predict(estimator, samples, fold, labels, fold_weights)
        predicted[fold.test] = fold_prediction
        fold_scores[fold.name] = evaluate(truth[fold.test], fold_prediction, labels)["macro_f1"]
        if on_fold is not None:
            on_fold(fold.name)
    scores = np.array(list(fold_scores.values()))
    return CVResult(
        scheme=scheme,
        folds=len(fold_scores),
        pooled=evaluate(truth, predicted, labels),
        fold_macro_f1_mean=round(float(scores.mean()), 4),
        fold_macro_f1_std=round(float(scores.std()), 4),
        per_source_macro_f1=_per_group_macro_f1(truth, predicted, sources, labels),
        per_family_macro_f1=_per_group_macro_f1(truth, predicted, families, labels),
    )


def _fit_and_predict(
    estimator: ThemeTagger,
    samples: Sequence[Sample],
    fold: Fold,
    labels: Sequence[str],
    weights: np.ndarray | None,
) -> np.ndarray:
    """The fold's test notes as an indicator matrix over ``labels``, predicted by a clone
    of ``estimator`` fitted on its training notes."""
    train = [samples[i] for i in fold.train]
    model = clone(estimator).fit(
        [s.text for s in train],
        [s.labels for s in train],
        groups=[s.source for s in train],
        sample_weight=weights,
    )
    return indicator(_label_lists(model, [samples[i].text for i in fold.test]), labels)


def _per_group_macro_f1(
    truth: np.ndarray, predicted: np.ndarray, groups: np.ndarray, labels: Sequence[str]
) -> dict[str, float]:
    return {
        group: evaluate(truth[groups == group], predicted[groups == group], labels)["macro_f1"]
        for group in sorted(set(groups.tolist()))
    }


def _label_lists(model: ThemeTagger, texts: list[str]) -> list[list[str]]:
    predicted = model.predict(texts)
    return [[str(model.classes_[c]) for c in np.flatnonzero(row)] for row in predicted]
