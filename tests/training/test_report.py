import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from training.errors import ModelError
from training.estimator import ThemeTagger
from training.metrics import evaluate
from training.registry import LoadedModel
from training.report import (
    DEFAULT_FRACTIONS,
    NO_THEME,
    EvaluationReport,
    build_report,
    confusion_matrix,
    learning_curve,
    precision_recall_curves,
    training_paths,
    without_overlap,
    write_report,
)
from training.report_html import render
from training.samples import Sample, SamplesFile

SCRIPT = "<script>alert('x')</script> She & I talked about the <b>promotion</b>."


@pytest.fixture(scope="module")
def training(small_samples: list[Sample]) -> list[Sample]:
    return small_samples[:300]


@pytest.fixture(scope="module")
def tagger(training: list[Sample]) -> ThemeTagger:
    tagger = ThemeTagger(features=("words", "subwords"), threshold_folds=2, random_state=7)
    texts, labels = [s.text for s in training], [s.labels for s in training]
    return tagger.fit(texts, labels, groups=[s.source for s in training])


@pytest.fixture(scope="module")
def notes(small_samples: list[Sample], tagger: ThemeTagger) -> list[Sample]:
    """Real notes the model has not seen, plus markup labelled with every theme (so it is
    certainly misclassified and shown on the page)."""
    every = tuple(str(label) for label in tagger.classes_)
    return [*small_samples[300:340], Sample("markup", SCRIPT, every, "test")]


@pytest.fixture(scope="module")
def training_with_copies(training: list[Sample], notes: list[Sample]) -> list[Sample]:
    """The training notes plus three evaluation texts, re-cased and re-spaced, which the
    learning curve must leave out."""
    copies = [
        replace(notes[0], id="copy-0", text=notes[0].text.upper()),
        replace(notes[1], id="copy-1", text="  " + notes[1].text.replace(" ", "\n ")),
        replace(notes[-1], id="copy-2"),
    ]
    return [*training, *copies]


@pytest.fixture(scope="module")
def report(
    tagger: ThemeTagger, notes: list[Sample], training_with_copies: list[Sample]
) -> EvaluationReport:
    loaded = LoadedModel(version="v<1>", tagger=tagger, card={"config": {"seed": 3}}, path=Path())
    return build_report(
        loaded,
        notes,
        training_with_copies,
        data_paths=[Path("eval.jsonl")],
        training_data_paths=[Path("train.jsonl")],
    )


@pytest.fixture(scope="module")
def written(report: EvaluationReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report") / "out"
    write_report(report, folder)
    return folder


def test_write_report_writes_a_self_contained_page_errors_and_numbers(written: Path) -> None:
    files = sorted(p.name for p in written.iterdir())
    assert files == ["errors.jsonl", "index.html", "report.json"]
    page = (written / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "<svg" in page and 'href="errors.jsonl"' in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
    summary = json.loads((written / "report.json").read_text(encoding="utf-8"))
    assert summary["model_version"] == "v<1>"
    assert {"metrics", "confusion", "pr_curves", "learning_curve", "thresholds"} <= set(summary)


def test_errors_are_exactly_the_notes_whose_predicted_set_differs(
    written: Path, tagger: ThemeTagger, notes: list[Sample]
) -> None:
    labels = [str(label) for label in tagger.classes_]
    predicted = tagger.predict([note.text for note in notes])
    expected_ids = [
        note.id
        for note, row in zip(notes, predicted, strict=True)
        if {labels[j] for j in np.flatnonzero(row)} != set(note.labels)
    ]
    lines = [json.loads(line) for line in (written / "errors.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == expected_ids
    assert 0 < len(lines) < len(notes)
    by_id = {note.id: note for note in notes}
    for line in lines:
        assert line["text"] == by_id[line["id"]].text
        assert line["expected"] == sorted(by_id[line["id"]].labels)
        assert set(line["missed"]) == set(line["expected"]) - set(line["predicted"])
        assert set(line["extra"]) == set(line["predicted"]) - set(line["expected"])
        assert set(line["scores"]) == set(labels)
        assert all(round(score, 4) == score for score in line["scores"].values())


def test_threshold_marks_are_the_model_thresholds(
    report: EvaluationReport, written: Path, tagger: ThemeTagger
) -> None:
    page = (written / "index.html").read_text(encoding="utf-8")
    curves = report.summary["pr_curves"]
    for label, threshold in zip(tagger.classes_, tagger.thresholds_, strict=True):
        curve = curves[str(label)]
        assert curve is not None
        assert curve["threshold"] == pytest.approx(threshold)
        assert f"t = {threshold:.2f}" in page
        scores = report.summary["metrics"]["per_theme"][str(label)]
        assert (curve["threshold_precision"], curve["threshold_recall"]) == (
            scores["precision"],
            scores["recall"],
        )


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


def test_page_escapes_note_text(written: Path) -> None:
    page = (written / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>promotion</b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; She &amp; I" in page


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


def test_learning_curve_rejects_fractions_outside_0_to_1(
    tagger: ThemeTagger, training: list[Sample], notes: list[Sample]
) -> None:
    with pytest.raises(ValueError, match=r"fractions must be in \(0, 1\], got \[0.5, 1.5\]"):
        learning_curve(tagger, training, notes, seed=1, fractions=(0.5, 1.5))


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
