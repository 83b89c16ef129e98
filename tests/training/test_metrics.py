import numpy as np

from training.metrics import evaluate, indicator


def test_evaluate_per_theme_macro_micro_and_no_theme() -> None:
    labels = ["career", "skills"]
    truth = indicator([["career"], ["career", "skills"], [], []], labels)
    predicted = indicator([["career"], ["career"], ["skills"], []], labels)
    report = evaluate(truth, predicted, labels)
    assert report["per_theme"]["career"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "support": 2,
    }
    assert report["per_theme"]["skills"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "support": 1,
    }
    assert report["macro_f1"] == 0.5
    assert report["micro_f1"] == round(2 * 2 / (2 * 2 + 1 + 1), 4)
    assert report["no_theme_support"] == 2
    assert report["no_theme_accuracy"] == 0.5
    assert report["n"] == 4


def test_confusions_count_a_theme_predicted_in_place_of_another() -> None:
    labels = ["confidence", "resilience"]
    truth = indicator([["confidence"], ["confidence"], ["resilience"]], labels)
    predicted = indicator([["resilience"], [], ["resilience"]], labels)
    report = evaluate(truth, predicted, labels)
    assert report["confusions"] == {"confidence": {"resilience": 1}, "resilience": {}}


def test_indicator_ignores_labels_outside_the_list() -> None:
    assert indicator([["a", "zzz"]], ["a", "b"]).tolist() == [[1, 0]]
    assert np.array_equal(indicator([], ["a"]), np.zeros((0, 1)))
