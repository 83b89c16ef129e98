"""An evaluation report for data scientists: the metrics, which themes are predicted in
place of which, precision-recall curves around the model's thresholds, a learning curve
and every misclassified note. ``training.report.html`` renders it as one static page."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve

from training.errors import ModelError
from training.estimator import ThemeTagger
from training.metrics import Report, evaluate, indicator
from training.registry import LoadedModel
from training.report.learning import DEFAULT_FRACTIONS, learning_curve
from training.report.types import (
    Confusion,
    EvaluationReport,
    NoteError,
    PRCurve,
    Progress,
    Summary,
)
from training.samples import Sample, SamplesFile

NO_THEME = "(none)"
MAX_CURVE_POINTS = 120


def training_paths(card: dict[str, Any]) -> list[SamplesFile]:
    """The sample files a model was trained on, with their weights, as its card records them."""
    files = card.get("data", {}).get("files") or []
    paths = [
        SamplesFile(Path(str(entry["path"])), float(entry.get("weight", 1.0)))
        for entry in files
        if "path" in entry
    ]
    if not paths:
        raise ModelError(f"the card of {card.get('version')!r} lists no data files; give --samples")
    for path in (file.path for file in paths):
        if not path.is_file():
            raise ModelError(
                f"{path}, a data file on the card of {card.get('version')!r}, is not found "
                "(paths are relative to where it was trained); give --samples"
            )
    return paths


def build_report(
    loaded: LoadedModel,
    notes: Sequence[Sample],
    training: Sequence[Sample],
    *,
    data_paths: Sequence[Path],
    training_data_paths: Sequence[Path],
    training_weights: Sequence[float] | None = None,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    progress: Progress | None = None,
) -> EvaluationReport:
    """Score ``loaded`` on ``notes`` and refit its configuration on parts of ``training``.

    Parameters
    ----------
    loaded
        The model to report on; its card's ``config.seed`` seeds the learning curve.
    notes
        Labelled evaluation notes.
    training
        Labelled notes for the learning curve; those whose text is also in ``notes`` are
        left out.
    data_paths, training_data_paths
        Where ``notes`` and ``training`` came from, for the page.
    training_weights
        How much each training note counts in the fit (its file's weight); default 1 each.
    fractions
        Shares of the training notes each learning-curve point is fitted on.
    progress
        Called with (fits done, fits in all, description) after each fit.
    """
    tagger = loaded.tagger
    labels = list(loaded.labels)
    truth, scores, predicted = _scored(tagger, notes, labels)
    metrics = evaluate(truth, predicted, labels)
    errors = misclassified(notes, truth, predicted, scores, labels)
    thresholds = {label: float(t) for label, t in zip(labels, tagger.thresholds_, strict=True)}
    summary = Summary(
        model_version=loaded.version,
        data=[str(path) for path in data_paths],
        training_data=[str(path) for path in training_data_paths],
        labels=labels,
        thresholds=thresholds,
        metrics=metrics,
        confusion=confusion_matrix(truth, predicted, labels),
        pr_curves=precision_recall_curves(truth, scores, labels, thresholds, metrics),
        learning_curve=learning_curve(
            tagger,
            training,
            notes,
            weights=training_weights,
            seed=_seed(loaded),
            fractions=fractions,
            progress=progress,
        ),
        n_errors=len(errors),
    )
    return EvaluationReport(summary=summary, errors=errors)


def _scored(
    tagger: ThemeTagger, notes: Sequence[Sample], labels: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The notes' labels, the model's scores and its predictions, each notes x labels."""
    truth = indicator([note.labels for note in notes], labels)
    scores = tagger.predict_proba([note.text for note in notes])
    predicted = (scores >= tagger.thresholds_).astype(np.int64)
    return truth, scores, predicted


def _seed(loaded: LoadedModel) -> int:
    seed = loaded.card.get("config", {}).get("seed")
    return seed if isinstance(seed, int) else int(loaded.tagger.random_state)


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray, labels: Sequence[str]) -> Confusion:
    """Theme missed x theme predicted in its place, with a ``(none)`` row and column.

    The theme x theme part is ``training.metrics.evaluate``'s ``confusions``. Row
    ``(none)`` counts notes where a theme was predicted wrongly and none was missed;
    column ``(none)`` counts notes where a theme was missed and none predicted wrongly.
    """
    confusions = evaluate(truth, predicted, labels)["confusions"]
    missed = truth.astype(bool) & ~predicted.astype(bool)
    wrong = ~truth.astype(bool) & predicted.astype(bool)
    nothing_wrong = ~wrong.any(axis=1)
    nothing_missed = ~missed.any(axis=1)
    counts = [
        [confusions[row].get(column, 0) for column in labels]
        + [int((missed[:, a] & nothing_wrong).sum())]
        for a, row in enumerate(labels)
    ]
    counts.append([int((wrong[:, b] & nothing_missed).sum()) for b in range(len(labels))] + [0])
    return Confusion(rows=[*labels, NO_THEME], columns=[*labels, NO_THEME], counts=counts)


def precision_recall_curves(
    truth: np.ndarray,
    scores: np.ndarray,
    labels: Sequence[str],
    thresholds: dict[str, float],
    metrics: Report,
) -> dict[str, PRCurve | None]:
    """Each theme's precision-recall curve, thinned, with the point of the model's threshold
    (None for a theme without a positive note, where the curve is undefined)."""
    curves: dict[str, PRCurve | None] = {}
    for column, label in enumerate(labels):
        positives = truth[:, column]
        if not positives.any():
            curves[label] = None
            continue
        precision, recall, _ = precision_recall_curve(positives, scores[:, column])
        keep = _thinned(len(recall), MAX_CURVE_POINTS)
        at_threshold = metrics["per_theme"][label]
        curves[label] = PRCurve(
            recall=[round(float(v), 4) for v in recall[keep]],
            precision=[round(float(v), 4) for v in precision[keep]],
            average_precision=round(
                float(average_precision_score(positives, scores[:, column])), 4
            ),
            prevalence=round(float(positives.mean()), 4),
            threshold=thresholds[label],
            threshold_recall=at_threshold["recall"],
            threshold_precision=at_threshold["precision"],
        )
    return curves


def _thinned(length: int, most: int) -> np.ndarray:
    """Indices of at most ``most`` evenly spread points, both ends kept."""
    if length <= most:
        return np.arange(length)
    return np.unique(np.linspace(0, length - 1, most).round().astype(int))


def misclassified(
    notes: Sequence[Sample],
    truth: np.ndarray,
    predicted: np.ndarray,
    scores: np.ndarray,
    labels: Sequence[str],
) -> list[NoteError]:
    """One entry per note whose predicted theme set differs from its labelled one."""
    errors = []
    for row in np.flatnonzero((truth != predicted).any(axis=1)).tolist():
        expected = [label for j, label in enumerate(labels) if truth[row, j]]
        guessed = [label for j, label in enumerate(labels) if predicted[row, j]]
        errors.append(
            NoteError(
                id=notes[row].id,
                text=notes[row].text,
                expected=expected,
                predicted=guessed,
                scores={label: round(float(scores[row, j]), 4) for j, label in enumerate(labels)},
                missed=[label for label in expected if label not in guessed],
                extra=[label for label in guessed if label not in expected],
            )
        )
    return errors
