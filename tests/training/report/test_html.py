"""The page: threshold marks and escaped note text."""

from pathlib import Path

import pytest

from training.estimator import ThemeTagger
from training.report.types import EvaluationReport


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


def test_page_escapes_note_text(written: Path) -> None:
    page = (written / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>promotion</b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; She &amp; I" in page
