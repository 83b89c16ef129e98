"""Multi-label evaluation: per-theme precision/recall/F1, macro and micro F1, no-theme
accuracy, and which themes are predicted in place of which."""

from collections.abc import Sequence
from typing import TypedDict

import numpy as np


class ThemeScores(TypedDict):
    precision: float
    recall: float
    f1: float
    support: int


class Report(TypedDict):
    n: int
    macro_f1: float
    micro_f1: float
    per_theme: dict[str, ThemeScores]
    no_theme_accuracy: float | None
    no_theme_support: int
    confusions: dict[str, dict[str, int]]


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else 0.0


def evaluate(truth: np.ndarray, predicted: np.ndarray, labels: Sequence[str]) -> Report:
    """Score 0/1 predictions against 0/1 truth (notes x themes, columns in ``labels`` order).

    ``confusions[a][b]`` counts notes where theme ``a`` was missed while ``b`` was predicted
    without being true: the model said ``b`` in place of ``a``.
    """
    truth = truth.astype(bool)
    predicted = predicted.astype(bool)
    true_pos = (truth & predicted).sum(axis=0)
    false_pos = (~truth & predicted).sum(axis=0)
    false_neg = (truth & ~predicted).sum(axis=0)
    per_theme: dict[str, ThemeScores] = {}
    for column, label in enumerate(labels):
        precision = _ratio(true_pos[column], true_pos[column] + false_pos[column])
        recall = _ratio(true_pos[column], true_pos[column] + false_neg[column])
        per_theme[label] = ThemeScores(
            precision=round(precision, 4),
            recall=round(recall, 4),
            f1=round(_ratio(2 * precision * recall, precision + recall), 4),
            support=int(truth[:, column].sum()),
        )
    micro = _ratio(2 * true_pos.sum(), 2 * true_pos.sum() + false_pos.sum() + false_neg.sum())
    no_theme = ~truth.any(axis=1)
    no_theme_support = int(no_theme.sum())
    missed = truth & ~predicted
    wrong = ~truth & predicted
    confusions = {
        label: {
            other: int((missed[:, a] & wrong[:, b]).sum())
            for b, other in enumerate(labels)
            if b != a and (missed[:, a] & wrong[:, b]).any()
        }
        for a, label in enumerate(labels)
    }
    return Report(
        n=int(truth.shape[0]),
        macro_f1=round(float(np.mean([s["f1"] for s in per_theme.values()])), 4),
        micro_f1=round(micro, 4),
        per_theme=per_theme,
        no_theme_accuracy=(
            round(float((~predicted[no_theme].any(axis=1)).mean()), 4) if no_theme_support else None
        ),
        no_theme_support=no_theme_support,
        confusions=confusions,
    )


def indicator(label_lists: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    """0/1 matrix of notes x ``labels``; labels outside ``labels`` are ignored."""
    column = {label: index for index, label in enumerate(labels)}
    matrix = np.zeros((len(label_lists), len(labels)), dtype=np.int64)
    for row, note_labels in enumerate(label_lists):
        for label in note_labels:
            if label in column:
                matrix[row, column[label]] = 1
    return matrix
