"""The evaluation report's parts, as ``report.json`` and ``errors.jsonl`` hold them."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

from training.metrics import Report

Progress = Callable[[int, int, str], None]


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
