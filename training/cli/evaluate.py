"""``evaluate``: score a model on labelled notes, optionally with a full report."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from training.cli.console import console, fail, progress_bar
from training.cli.options import ModelsDir, samples_file
from training.errors import TrainingError
from training.metrics import Report, evaluate, indicator
from training.registry import DEFAULT_MODELS_DIR, LoadedModel, load_model
from training.report.build import build_report, training_paths
from training.report.learning import DEFAULT_FRACTIONS
from training.report.write import INDEX_FILE, write_report
from training.samples import Sample, SamplesFile, load_samples, load_weighted_samples

app = typer.Typer()


@app.command("evaluate")
def evaluate_command(
    data: Annotated[list[Path], typer.Option("--data", help="Labelled notes to score on.")],
    model: Annotated[
        str | None, typer.Option("--model", help="Version id or folder; default: the active one.")
    ] = None,
    models_dir: ModelsDir = DEFAULT_MODELS_DIR,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the metrics here.")] = None,
    report_dir: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Write index.html (metrics, confusions, precision-recall and learning "
            "curves), errors.jsonl and report.json into this folder.",
        ),
    ] = None,
    samples: Annotated[
        list[SamplesFile] | None,
        typer.Option(
            "--samples",
            parser=samples_file,
            metavar="PATH[:WEIGHT]",
            help="Training notes for the report's learning curve; default: the files (and "
            "weights) on the model's card.",
        ),
    ] = None,
) -> None:
    """Score a model on labelled notes: per theme, macro/micro F1, no-theme accuracy."""
    try:
        loaded = load_model(models_dir, model)
        labels = list(loaded.labels)
        notes = load_samples(data, label_set=set(labels))
    except TrainingError as error:
        fail(error)
    predicted = loaded.tagger.predict([note.text for note in notes])
    report = evaluate(indicator([note.labels for note in notes], labels), predicted, labels)
    _print_report(report, title=f"model {loaded.version} on {', '.join(map(str, data))}")
    if json_out is not None:
        json_out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if report_dir is not None:
        _write_full_report(loaded, notes, data=data, samples=samples, folder=report_dir)


def _write_full_report(
    loaded: LoadedModel,
    notes: list[Sample],
    *,
    data: list[Path],
    samples: list[SamplesFile] | None,
    folder: Path,
) -> None:
    """The --report folder: the learning curve refits the model on ``samples`` (default:
    the files on its card)."""
    labels = set(loaded.labels)
    try:
        training_files = samples or training_paths(loaded.card)
        training, weights = load_weighted_samples(training_files, label_set=labels)
        with progress_bar(len(DEFAULT_FRACTIONS), "learning curve") as advance:
            full = build_report(
                loaded,
                notes,
                training,
                data_paths=data,
                training_data_paths=[file.path for file in training_files],
                training_weights=weights,
                progress=advance,
            )
    except TrainingError as error:
        fail(error)
    write_report(full, folder)
    console.print(f"report written to {folder / INDEX_FILE}")


def _print_report(report: Report, *, title: str) -> None:
    table = Table(title=title)
    for column in ("theme", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "theme" else "right")
    for label, scores in report["per_theme"].items():
        table.add_row(
            label,
            f"{scores['precision']:.3f}",
            f"{scores['recall']:.3f}",
            f"{scores['f1']:.3f}",
            str(scores["support"]),
        )
    console.print(table)
    console.print(
        f"notes: {report['n']}  macro F1: {report['macro_f1']:.3f}  "
        f"micro F1: {report['micro_f1']:.3f}"
    )
    if report["no_theme_accuracy"] is not None:
        console.print(
            f"no-theme notes left untagged: {report['no_theme_accuracy']:.3f} "
            f"of {report['no_theme_support']}"
        )
    pairs = sorted(
        (
            (count, missed, instead)
            for missed, row in report["confusions"].items()
            for instead, count in row.items()
        ),
        reverse=True,
    )
    if pairs:
        console.print(
            "most confused (theme missed <- theme predicted instead): "
            + ", ".join(f"{missed} <- {instead} ({count})" for count, missed, instead in pairs[:6])
        )
