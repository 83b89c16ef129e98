"""An evaluation report for data scientists: the metrics, which themes are predicted in
place of which, precision-recall curves around the model's thresholds, a learning curve
and every misclassified note. ``training.report_html`` renders it as one static page."""

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
from sklearn.base import clone
from sklearn.metrics import average_precision_score, precision_recall_curve

from training.errors import ModelError, TrainingError
from training.estimator import ThemeTagger
from training.metrics import Report, evaluate, indicator
from training.registry import LoadedModel
from training.report_html import render
from training.samples import Sample, SamplesFile

Progress = Callable[[int, int, str], None]

DEFAULT_FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0)
NO_THEME = "(none)"
MAX_CURVE_POINTS = 120
INDEX_FILE = "index.html"
ERRORS_FILE = "errors.jsonl"
SUMMARY_FILE = "report.json"


class Confusion(TypedDict):
    """``counts[i][j]``: notes where ``rows[i]`` was missed while ``columns[j]`` was
    predicted without being true; the ``(none)`` row and column stand for "nothing"."""

    rows: list[str]
    columns: list[str]
    counts: list[list[int]]


class PRCurve(TypedDict):
    recall: list[float]
    precision: list[float]
    average_precision: float
    prevalence: float
    threshold: float
    threshold_recall: float
    threshold_precision: float


class LearningPoint(TypedDict):
    fraction: float
    n_train: int
    macro_f1: float | None
    micro_f1: float | None
    seconds: float
    error: str | None


class LearningCurve(TypedDict):
    seed: int
    n_available: int
    n_excluded: int
    points: list[LearningPoint]


class NoteError(TypedDict):
    id: str
    text: str
    expected: list[str]
    predicted: list[str]
    scores: dict[str, float]
    missed: list[str]
    extra: list[str]


class Summary(TypedDict):
    model_version: str
    data: list[str]
    training_data: list[str]
    labels: list[str]
    thresholds: dict[str, float]
    metrics: Report
    confusion: Confusion
    pr_curves: dict[str, PRCurve | None]
    learning_curve: LearningCurve
    n_errors: int


@dataclass(frozen=True)
class EvaluationReport:
    """``summary`` is written to ``report.json``, ``errors`` to ``errors.jsonl``."""

    summary: Summary
    errors: list[NoteError]


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
    labels = [str(label) for label in tagger.classes_]
    texts = [note.text for note in notes]
    truth = indicator([note.labels for note in notes], labels)
    scores = tagger.predict_proba(texts)
    predicted = (scores >= tagger.thresholds_).astype(np.int64)
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


def write_report(report: EvaluationReport, folder: Path) -> None:
    """Write ``index.html``, ``errors.jsonl`` and ``report.json`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SUMMARY_FILE).write_text(
        json.dumps(report.summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    with (folder / ERRORS_FILE).open("w", encoding="utf-8") as handle:
        for error in report.errors:
            handle.write(json.dumps(error, ensure_ascii=False) + "\n")
    (folder / INDEX_FILE).write_text(render(report, errors_href=ERRORS_FILE), encoding="utf-8")
