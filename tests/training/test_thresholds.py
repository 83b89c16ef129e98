import numpy as np

from training.thresholds import best_thresholds, f1_at_thresholds


def test_f1_at_thresholds_counts_hits_and_misses() -> None:
    truth = np.array([1, 1, 0, 0])
    scores = np.array([0.9, 0.4, 0.6, 0.1])
    f1 = f1_at_thresholds(truth, scores, np.array([0.05, 0.5, 0.95]))
    assert np.allclose(f1, [2 * 2 / (2 * 2 + 2), 2 / (2 + 1 + 1), 0.0])


def test_best_threshold_sits_mid_plateau_and_within_bounds() -> None:
    truth = np.array([[1], [1], [0], [0]])
    scores = np.array([[0.9], [0.8], [0.3], [0.2]])
    (threshold,) = best_thresholds(truth, scores, bounds=(0.1, 0.9))
    assert 0.3 < threshold <= 0.8
    assert abs(threshold - 0.55) < 0.02
    (clipped,) = best_thresholds(truth, scores, bounds=(0.85, 0.9))
    assert 0.85 <= clipped <= 0.9
