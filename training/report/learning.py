"""The learning curve: the model's configuration refitted on growing shares of the
training notes, each share scored on the evaluation notes."""

import time
from collections.abc import Sequence

import numpy as np
from sklearn.base import clone

from training.errors import TrainingError
from training.estimator import ThemeTagger
from training.metrics import evaluate, indicator
from training.report.types import LearningCurve, LearningPoint, Progress
from training.samples import Sample

DEFAULT_FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0)


def _normalized(text: str) -> str:
    return " ".join(text.split()).casefold()


def without_overlap(
    training: Sequence[Sample], notes: Sequence[Sample]
) -> tuple[list[Sample], int]:
    """The training notes whose text (case and whitespace aside) is not an evaluation
    note's, and how many were left out."""
    kept = [training[i] for i in _kept_indices(training, notes)]
    return kept, len(training) - len(kept)


def _kept_indices(training: Sequence[Sample], notes: Sequence[Sample]) -> list[int]:
    evaluation_texts = {_normalized(note.text) for note in notes}
    return [i for i, s in enumerate(training) if _normalized(s.text) not in evaluation_texts]


def learning_curve(
    tagger: ThemeTagger,
    training: Sequence[Sample],
    notes: Sequence[Sample],
    *,
    seed: int,
    weights: Sequence[float] | None = None,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    progress: Progress | None = None,
) -> LearningCurve:
    """Macro-F1 on ``notes`` of fresh copies of ``tagger`` (same parameters) fitted on
    nested, seeded random shares of ``training``.

    Each share keeps the file order, so the fit on all of the training notes repeats the
    model's own training when the data and the config are unchanged.
    """
    if not fractions or any(not 0 < fraction <= 1 for fraction in fractions):
        raise ValueError(f"fractions must be in (0, 1], got {list(fractions)}")
    indices = _kept_indices(training, notes)
    kept = [training[i] for i in indices]
    kept_weights = [weights[i] if weights is not None else 1.0 for i in indices]
    excluded = len(training) - len(kept)
    order = np.random.default_rng(seed).permutation(len(kept))
    labels = [str(label) for label in tagger.classes_]
    truth = indicator([note.labels for note in notes], labels)
    points = []
    for done, fraction in enumerate(sorted(fractions), start=1):
        size = max(1, round(fraction * len(kept)))
        chosen = sorted(order[:size])
        subset = [kept[i] for i in chosen]
        subset_weights = [kept_weights[i] for i in chosen]
        points.append(
            _fit_and_score(tagger, subset, subset_weights, notes, truth, labels, fraction)
        )
        if progress is not None:
            progress(done, len(fractions), f"learning curve: fitted on {size} notes")
    return LearningCurve(seed=seed, n_available=len(kept), n_excluded=excluded, points=points)


def _fit_and_score(
    tagger: ThemeTagger,
    subset: Sequence[Sample],
    subset_weights: Sequence[float],
    notes: Sequence[Sample],
    truth: np.ndarray,
    labels: Sequence[str],
    fraction: float,
) -> LearningPoint:
    started = time.perf_counter()
    try:
        fresh = clone(tagger).fit(
            [s.text for s in subset],
            [s.labels for s in subset],
            groups=[s.source for s in subset],
            sample_weight=subset_weights,
        )
    except (TrainingError, ValueError) as error:  # too few notes for the inner folds
        return LearningPoint(
            fraction=fraction,
            n_train=len(subset),
            macro_f1=None,
            micro_f1=None,
            seconds=round(time.perf_counter() - started, 2),
            error=str(error),
        )
    # A small share may lack a theme: its column stays 0, as the model never predicts it.
    predicted = np.zeros_like(truth)
    fresh_predicted = fresh.predict([note.text for note in notes])
    for j, label in enumerate(fresh.classes_):
        predicted[:, labels.index(str(label))] = fresh_predicted[:, j]
    scored = evaluate(truth, predicted, labels)
    return LearningPoint(
        fraction=fraction,
        n_train=len(subset),
        macro_f1=scored["macro_f1"],
        micro_f1=scored["micro_f1"],
        seconds=round(time.perf_counter() - started, 2),
        error=None,
    )
