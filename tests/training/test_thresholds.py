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


def test_a_weighted_note_counts_as_that_many_repeated_notes() -> None:
    truth = np.array([1, 1, 0, 0])
    scores = np.array([0.9, 0.4, 0.6, 0.1])
    grid = np.array([0.05, 0.5, 0.95])
    weights = np.array([1.0, 3.0, 2.0, 1.0])
    repeated = np.repeat(np.arange(4), [1, 3, 2, 1])
    assert np.allclose(
        f1_at_thresholds(truth, scores, grid, weights),
        f1_at_thresholds(truth[repeated], scores[repeated], grid),
    )
    fractional = f1_at_thresholds(truth, scores, grid, weights / 10)
    assert np.allclose(fractional, f1_at_thresholds(truth, scores, grid, weights))


def test_weights_move_the_threshold_towards_the_heavy_notes() -> None:
    truth = np.array([[1], [1], [0], [0], [0]])
    scores = np.array([[0.9], [0.3], [0.5], [0.4], [0.35]])
    (plain,) = best_thresholds(truth, scores)
    (weighted,) = best_thresholds(truth, scores, sample_weight=np.array([1.0, 5.0, 1, 1, 1]))
    assert plain > 0.5
    assert 0.1 < weighted <= 0.3
