"""Building the report: confusions, precision-recall curves, the card's training files."""

from pathlib import Path

import numpy as np
import pytest

from training.errors import ModelError
from training.metrics import evaluate
from training.report.build import (
    NO_THEME,
    confusion_matrix,
    precision_recall_curves,
    training_paths,
)
from training.samples import SamplesFile


def test_confusion_counts_plain_misses_and_false_alarms_as_none() -> None:
    labels = ["a", "b", "c"]
    truth = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 0], [0, 1, 0]])
    predicted = np.array([[0, 1, 0], [0, 0, 0], [0, 0, 1], [0, 1, 0]])
    confusion = confusion_matrix(truth, predicted, labels)
    assert confusion["rows"] == confusion["columns"] == [*labels, NO_THEME]
    assert confusion["counts"] == [
        [0, 1, 0, 1],  # a missed: once with b instead, once with nothing instead
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 1, 0],  # c predicted with nothing missed
    ]
    assert confusion["counts"][0][1] == evaluate(truth, predicted, labels)["confusions"]["a"]["b"]


def test_precision_recall_curve_is_none_for_a_theme_without_positives() -> None:
    truth = np.array([[1, 0], [0, 0], [1, 0]])
    scores = np.array([[0.9, 0.2], [0.3, 0.7], [0.6, 0.1]])
    predicted = (scores >= 0.5).astype(np.int64)
    curves = precision_recall_curves(
        truth, scores, ["a", "b"], {"a": 0.5, "b": 0.5}, evaluate(truth, predicted, ["a", "b"])
    )
    assert curves["b"] is None
    assert curves["a"] is not None and curves["a"]["average_precision"] == 1.0


def test_training_paths_are_the_card_files_and_must_exist(tmp_path: Path) -> None:
    present = tmp_path / "notes.jsonl"
    present.write_text("")
    assert training_paths({"data": {"files": [{"path": str(present)}]}}) == [SamplesFile(present)]
    weighted = {"data": {"files": [{"path": str(present), "weight": 3}]}}
    assert training_paths(weighted) == [SamplesFile(present, 3.0)]
    with pytest.raises(ModelError, match="gone.jsonl, a data file on the card of 'v1', is not"):
        training_paths({"version": "v1", "data": {"files": [{"path": "gone.jsonl"}]}})
    with pytest.raises(ModelError, match="the card of 'v1' lists no data files; give --samples"):
        training_paths({"version": "v1", "data": {}})
