"""Per-theme decision thresholds chosen on out-of-fold scores, never on a test fold: the
inner cross-validation that produces those scores, and the choice on them."""

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from iterstrat.ml_stratifiers import MultilabelStratifiedKFold
from sklearn.model_selection import GroupKFold, KFold

from training.linear import Regression
from training.weighting import sigmoid, weigh

THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def f1_at_thresholds(
    truth: np.ndarray,
    scores: np.ndarray,
    grid: np.ndarray,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """F1 of one theme at every threshold of ``grid`` (vectorised); a note of weight w
    counts as w notes in the hits and misses."""
    weights = np.ones(truth.shape[0]) if sample_weight is None else sample_weight
    predicted = scores[None, :] >= grid[:, None]
    positives = truth.astype(bool)[None, :]
    true_pos = (predicted & positives) @ weights
    false_pos = (predicted & ~positives) @ weights
    false_neg = (~predicted & positives) @ weights
    denominator = 2 * true_pos + false_pos + false_neg
    return np.where(denominator > 0, 2 * true_pos / np.where(denominator > 0, denominator, 1), 0.0)


def best_thresholds(
    truth: np.ndarray,
    scores: np.ndarray,
    *,
    bounds: tuple[float, float] = (0.1, 0.9),
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """The F1-maximising threshold of each column, taken mid-plateau and clipped to bounds.

    Taking the middle of the run of equally good thresholds, rather than its first value,
    keeps the choice away from the edge where one more note flips the decision.
    """
    low, high = bounds
    grid = THRESHOLD_GRID[(THRESHOLD_GRID >= low) & (THRESHOLD_GRID <= high)]
    chosen = np.empty(truth.shape[1])
    for column in range(truth.shape[1]):
        f1 = f1_at_thresholds(truth[:, column], scores[:, column], grid, sample_weight)
        best = np.flatnonzero(np.isclose(f1, f1.max()))
        chosen[column] = grid[best[len(best) // 2]]
    return chosen


def tune_thresholds(
    doc_counts: dict[str, sp.csr_matrix],
    truth: np.ndarray,
    *,
    groups: Sequence[str] | None,
    note_weights: np.ndarray,
    regression: Regression,
    folds: int,
    bounds: tuple[float, float],
    random_state: int,
) -> np.ndarray:
    """Thresholds chosen on the out-of-fold scores of an inner cross-validation of the
    regressions (grouped by ``groups`` when there are enough of them)."""
    out_of_fold = np.zeros(truth.shape, dtype=np.float64)
    for train, held_out in inner_splits(truth, groups, folds=folds, random_state=random_state):
        idf, coef, intercept = regression.fit(
            _rows(doc_counts, train), truth[train], note_weights[train]
        )
        weighted = weigh(_rows(doc_counts, held_out), idf, regression.block_weights)
        out_of_fold[held_out] = sigmoid(weighted @ coef + intercept)
    # The F1 that picks each threshold counts a note of weight w as w notes, as the fit
    # does: a heavily weighted corrections file should move the cut-off as well as the
    # scores, or the old threshold would undo part of what the regressions learned.
    return best_thresholds(truth, out_of_fold, bounds=bounds, sample_weight=note_weights)


def inner_splits(
    truth: np.ndarray, groups: Sequence[str] | None, *, folds: int, random_state: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    placeholder = np.zeros(truth.shape[0])
    if groups is not None and len(set(groups)) >= folds:
        splitter = GroupKFold(n_splits=folds)
        return list(splitter.split(placeholder, truth, groups=list(groups)))
    if truth.shape[1] < 2:  # multi-label stratification needs two or more themes
        plain = KFold(n_splits=folds, shuffle=True, random_state=random_state)
        return list(plain.split(placeholder))
    stratified = MultilabelStratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    return list(stratified.split(placeholder, truth))


def _rows(counts: dict[str, sp.csr_matrix], index: np.ndarray) -> dict[str, sp.csr_matrix]:
    return {block: matrix[index] for block, matrix in counts.items()}
