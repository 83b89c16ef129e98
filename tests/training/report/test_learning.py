"""The learning curve: growing shares, the repeat of the model, overlap left out."""

import pytest

from training.estimator import ThemeTagger
from training.report.html import render
from training.report.learning import DEFAULT_FRACTIONS, learning_curve, without_overlap
from training.report.types import EvaluationReport
from training.samples import Sample


def test_learning_curve_fits_every_fraction_on_growing_training_sets(
    report: EvaluationReport,
) -> None:
    curve = report.summary["learning_curve"]
    points = curve["points"]
    assert [point["fraction"] for point in points] == list(DEFAULT_FRACTIONS)
    sizes = [point["n_train"] for point in points]
    assert sizes == sorted(set(sizes)) and sizes[-1] == curve["n_available"]
    assert all(point["macro_f1"] is not None and point["error"] is None for point in points)
    assert curve["seed"] == 3


def test_learning_curve_on_all_training_notes_repeats_the_model(report: EvaluationReport) -> None:
    # Same parameters, same notes in the same order: the same model, so the same score.
    last = report.summary["learning_curve"]["points"][-1]
    assert last["macro_f1"] == report.summary["metrics"]["macro_f1"]


def test_training_notes_repeating_an_evaluation_text_are_left_out(
    report: EvaluationReport, training: list[Sample], notes: list[Sample]
) -> None:
    assert without_overlap(training, notes) == (training, 0)
    curve = report.summary["learning_curve"]
    assert (curve["n_excluded"], curve["n_available"]) == (3, len(training))
    page = render(report, errors_href="errors.jsonl")
    assert f"{len(training)} training notes used; <b>3</b> left out" in page


def test_learning_curve_rejects_fractions_outside_0_to_1(
    tagger: ThemeTagger, training: list[Sample], notes: list[Sample]
) -> None:
    with pytest.raises(ValueError, match=r"fractions must be in \(0, 1\], got \[0.5, 1.5\]"):
        learning_curve(tagger, training, notes, seed=1, fractions=(0.5, 1.5))
