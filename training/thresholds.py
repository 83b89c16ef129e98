"""Per-theme decision thresholds chosen on out-of-fold scores, never on a test fold."""

import numpy as np

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
