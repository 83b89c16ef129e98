"""A small model, evaluation notes (one of them markup), and the report built and written
from them: shared by the report tests."""

from dataclasses import replace
from pathlib import Path

import pytest

from training.estimator import ThemeTagger
from training.registry import LoadedModel
from training.report.build import build_report
from training.report.types import EvaluationReport
from training.report.write import write_report
from training.samples import Sample

SCRIPT = "<script>alert('x')</script> She & I talked about the <b>promotion</b>."


@pytest.fixture(scope="session")
def training(small_samples: list[Sample]) -> list[Sample]:
    return small_samples[:300]


@pytest.fixture(scope="session")
def tagger(training: list[Sample]) -> ThemeTagger:
    tagger = ThemeTagger(features=("words", "subwords"), threshold_folds=2, random_state=7)
    texts, labels = [s.text for s in training], [s.labels for s in training]
    return tagger.fit(texts, labels, groups=[s.source for s in training])


@pytest.fixture(scope="session")
def notes(small_samples: list[Sample], tagger: ThemeTagger) -> list[Sample]:
    """Real notes the model has not seen, plus markup labelled with every theme (so it is
    certainly misclassified and shown on the page)."""
    every = tuple(str(label) for label in tagger.classes_)
    return [*small_samples[300:340], Sample("markup", SCRIPT, every, "test")]


@pytest.fixture(scope="session")
def training_with_copies(training: list[Sample], notes: list[Sample]) -> list[Sample]:
    """The training notes plus three evaluation texts, re-cased and re-spaced, which the
    learning curve must leave out."""
    copies = [
        replace(notes[0], id="copy-0", text=notes[0].text.upper()),
        replace(notes[1], id="copy-1", text="  " + notes[1].text.replace(" ", "\n ")),
        replace(notes[-1], id="copy-2"),
    ]
    return [*training, *copies]


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def written(report: EvaluationReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report") / "out"
    write_report(report, folder)
    return folder
