"""The ``mentor-themes`` command line: train, select, evaluate and tag."""

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from training.agreement import agreement, pair_up
from training.config import DEFAULT_CONFIG_PATH, load_config
from training.errors import SampleError, TrainingError
from training.metrics import Report, evaluate, indicator
from training.promotion import (
    DEFAULT_MAX_THEME_DROP,
    DEFAULT_TOLERANCE,
    check_promotion,
    promote,
    read_history,
    rollback,
    score,
)
from training.registry import list_cards, load_model, read_active, read_card, resolve
from training.report import (
    DEFAULT_FRACTIONS,
    INDEX_FILE,
    build_report,
    training_paths,
    write_report,
)
from training.results import ThemeMatch
from training.samples import (
    SamplesFile,
    load_samples,
    load_weighted_samples,
    parse_samples_file,
    read_json_objects,
)
from training.selection import select_design
from training.themes import DEFAULT_THEMES_PATH, load_themes
from training.train import train_model

DEFAULT_SAMPLES = Path("data/samples/notes.jsonl")
TAG_BATCH = 1000

app = typer.Typer(
    help="Tag mentoring session notes with growth themes; train and evaluate the tagger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output gets a fixed width, so tables are not squeezed to 80 columns.
console = Console() if sys.stdout.isatty() else Console(width=120)
errors = Console(stderr=True, soft_wrap=True)

ModelsDir = Annotated[Path, typer.Option("--models-dir", help="The model registry folder.")]
SamplesFiles = Annotated[
    list[Path] | None, typer.Option("--samples", help="Samples file(s), .jsonl or .csv.")
]


def _samples_file(spec: str) -> SamplesFile:
    try:
        return parse_samples_file(spec)
    except SampleError as error:
        raise typer.BadParameter(str(error)) from error


WeightedSamplesFiles = Annotated[
    list[SamplesFile] | None,
    typer.Option(
        "--samples",
        parser=_samples_file,
        metavar="PATH[:WEIGHT]",
        help="Samples file(s), .jsonl or .csv; each note of the file counts WEIGHT times in "
        "the fit (a positive number, default 1).",
    ),
]
ConfigFile = Annotated[Path, typer.Option(help="Training config (TOML).")]
ThemesFile = Annotated[Path, typer.Option(help="Codebook (themes.json).")]


@contextmanager
def progress_bar(total: int | None, description: str) -> Iterator[Any]:
    """A progress bar on a terminal (silent when output is piped); yields
    ``advance(done, total=None, what=description)``."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        disable=not errors.is_terminal,
    ) as progress:
        task = progress.add_task(description, total=total)

        def advance(done: int, new_total: int | None = None, what: str = description) -> None:
            progress.update(task, completed=done, total=new_total or total, description=what)

        yield advance


def _fail(error: Exception) -> None:
    errors.print(f"[red]error:[/red] {error}")
    raise typer.Exit(code=2)


@app.command()
def train(
    samples: WeightedSamplesFiles = None,
    config: ConfigFile = DEFAULT_CONFIG_PATH,
    themes: ThemesFile = DEFAULT_THEMES_PATH,
    out: Annotated[Path, typer.Option("--out", help="The model registry folder.")] = Path("models"),
    unless_active: Annotated[
        bool, typer.Option(help="Do nothing when the registry already has an active model.")
    ] = False,
) -> None:
    """Cross-validate, fit on all samples and register a new model version."""
    if unless_active and read_active(out) is not None:
        console.print(f"active model {read_active(out)} already in {out}; not training")
        return
    try:
        training_config = load_config(config)
        codebook = load_themes(themes)
        with progress_bar(1, "training") as advance:
            run = train_model(
                samples or [SamplesFile(DEFAULT_SAMPLES)],
                config=training_config,
                themes=codebook,
                models_dir=out,
                progress=advance,
            )
    except TrainingError as error:
        _fail(error)
        return
    metrics = run.card["metrics"]
    table = Table(title=f"model {run.version} ({run.card['data']['n']} notes)")
    table.add_column("theme")
    table.add_column("threshold", justify="right")
    for scheme in metrics:
        table.add_column(f"F1 {scheme}", justify="right")
    for label, threshold in run.card["thresholds"].items():
        row = [f"{metrics[s]['pooled']['per_theme'][label]['f1']:.3f}" for s in metrics]
        table.add_row(label, f"{threshold:.2f}", *row)
    table.add_row("macro F1", "", *[f"{metrics[s]['pooled']['macro_f1']:.3f}" for s in metrics])
    table.add_row("micro F1", "", *[f"{metrics[s]['pooled']['micro_f1']:.3f}" for s in metrics])
    console.print(table)
    console.print(f"written to {run.folder}; active model: {read_active(out)}")


@app.command()
def select(
    samples: SamplesFiles = None,
    config: ConfigFile = DEFAULT_CONFIG_PATH,
    themes: ThemesFile = DEFAULT_THEMES_PATH,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the comparison here.")
    ] = None,
) -> None:
    """Cross-validate every candidate design of the config; the best grouped score wins."""
    try:
        training_config = load_config(config)
        codebook = load_themes(themes)
        paths = samples or [DEFAULT_SAMPLES]
        notes = load_samples(paths, label_set={theme.id for theme in codebook})
        with progress_bar(1, "comparing designs") as advance:
            comparison = select_design(
                notes, config=training_config, themes=codebook, progress=advance
            )
    except TrainingError as error:
        _fail(error)
        return
    table = Table(title="candidate designs (pooled out-of-fold scores)")
    for column in (
        "design",
        "grouped macro F1",
        "grouped min theme F1",
        "stratified macro F1",
        "no-theme acc.",
        "fit seconds",
    ):
        table.add_column(column, justify="left" if column == "design" else "right")
    for name, result in comparison["candidates"].items():
        table.add_row(
            ("* " if name == comparison["best"] else "  ") + name,
            f"{result['grouped_macro_f1']:.3f}",
            f"{result['grouped_min_theme_f1']:.3f}",
            f"{result['stratified_macro_f1']:.3f}",
            f"{result['grouped_no_theme_accuracy']:.3f}",
            f"{result['seconds']:.1f}",
        )
    console.print(table)
    console.print(f"best by grouped macro-F1: {comparison['best']}")
    if json_out is not None:
        json_out.write_text(json.dumps(comparison, indent=2) + "\n", encoding="utf-8")


@app.command("evaluate")
def evaluate_command(
    data: Annotated[list[Path], typer.Option("--data", help="Labelled notes to score on.")],
    model: Annotated[
        str | None, typer.Option("--model", help="Version id or folder; default: the active one.")
    ] = None,
    models_dir: ModelsDir = Path("models"),
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
            parser=_samples_file,
            metavar="PATH[:WEIGHT]",
            help="Training notes for the report's learning curve; default: the files (and "
            "weights) on the model's card.",
        ),
    ] = None,
) -> None:
    """Score a model on labelled notes: per theme, macro/micro F1, no-theme accuracy."""
    try:
        loaded = load_model(models_dir, model)
        labels = [str(label) for label in loaded.tagger.classes_]
        notes = load_samples(data, label_set=set(labels))
    except TrainingError as error:
        _fail(error)
        return
    predicted = loaded.tagger.predict([note.text for note in notes])
    report = evaluate(indicator([note.labels for note in notes], labels), predicted, labels)
    _print_report(report, title=f"model {loaded.version} on {', '.join(map(str, data))}")
    if json_out is not None:
        json_out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if report_dir is None:
        return
    try:
        training_files = samples or training_paths(loaded.card)
        training, weights = load_weighted_samples(training_files, label_set=set(labels))
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
        _fail(error)
        return
    write_report(full, report_dir)
    console.print(f"report written to {report_dir / INDEX_FILE}")


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


@app.command()
def tag(
    text: Annotated[str | None, typer.Argument(help="A note to tag.")] = None,
    input_file: Annotated[
        Path | None, typer.Option("--input", help="JSON Lines with a 'text' field per line.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write JSON Lines here instead of printing.")
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Version id or folder; default: the active one.")
    ] = None,
    models_dir: ModelsDir = Path("models"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Tag one note, or every note of a JSON Lines file, with themes and evidence."""
    if (text is None) == (input_file is None):
        _fail(ValueError("give either a TEXT argument or --input FILE.jsonl"))
    try:
        loaded = load_model(models_dir, model)
        records = [{"text": text}] if text is not None else _read_notes(input_file)  # type: ignore[arg-type]
    except TrainingError as error:
        _fail(error)
        return
    results: list[list[ThemeMatch]] = []
    with progress_bar(len(records), "tagging") as advance:
        for start in range(0, len(records), TAG_BATCH):
            chunk = records[start : start + TAG_BATCH]
            results.extend(loaded.tagger.tag([record["text"] for record in chunk]))
            advance(start + len(chunk))
    tagged = [
        {**record, "themes": [_match_dict(m) for m in matches], "model_version": loaded.version}
        for record, matches in zip(records, results, strict=True)
    ]
    if output is not None:
        with output.open("w", encoding="utf-8") as handle:
            for item in tagged:
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
        console.print(f"tagged {len(tagged)} notes -> {output}")
    elif as_json:
        sys.stdout.write(
            json.dumps(tagged if text is None else tagged[0], ensure_ascii=False, indent=2) + "\n"
        )
    else:
        for item, matches in zip(tagged, results, strict=True):
            _print_tagged(str(item.get("id", "")), str(item["text"]), matches)


def _read_notes(path: Path) -> list[dict[str, Any]]:
    records = []
    for line, record in read_json_objects(path):
        if not isinstance(record.get("text"), str):
            raise SampleError(str(path), line, "each line needs a string field 'text'")
        records.append(record)
    return records


def _match_dict(match: ThemeMatch) -> dict[str, Any]:
    return {
        "theme": match.theme,
        "score": match.score,
        "evidence": [
            {"text": e.text, "start": e.start, "end": e.end, "score": e.score}
            for e in match.evidence
        ],
    }


def _print_tagged(note_id: str, text: str, matches: Sequence[ThemeMatch]) -> None:
    heading = f"[bold]{note_id}[/bold] " if note_id else ""
    preview = text if len(text) <= 100 else text[:97] + "..."
    console.print(f"{heading}{preview!r}")
    if not matches:
        console.print("  (no theme)")
    for match in matches:
        console.print(f"  [bold]{match.theme:<11}[/bold] {match.score:.2f}")
        for evidence in match.evidence:
            console.print(
                f"      {evidence.score:.2f} [{evidence.start}:{evidence.end}] {evidence.text!r}"
            )


models_app = typer.Typer(help="The model registry: list, compare, promote, roll back.")
app.add_typer(models_app, name="models")
HeldOut = Annotated[
    list[Path] | None,
    typer.Option("--heldout", help="Labelled notes both models are scored on."),
]
DEFAULT_HELDOUT = Path("data/samples/holdout.jsonl")


def _headline(card: dict[str, Any]) -> str:
    metrics = card.get("metrics", {})
    parts = []
    for scheme in ("grouped_by_source", "stratified"):
        pooled = metrics.get(scheme, {}).get("pooled")
        if pooled:
            name = scheme.split("_")[0]
            parts.append(f"{name} macro-F1 {pooled['macro_f1']:.3f}")
    parts.append(f"n={card.get('data', {}).get('n', '?')}")
    return "  ".join(parts)


@models_app.command("list")
def models_list(models_dir: ModelsDir = Path("models")) -> None:
    """One line per version (oldest first), the active one marked, then the history of
    promotions and rollbacks."""
    active = read_active(models_dir)
    for card in list_cards(models_dir):
        version = str(card.get("version"))
        mark = "*" if version == active else " "
        console.print(f"{version} {mark} {card.get('created_at', '')}  {_headline(card)}")
    for event in read_history(models_dir):
        scores = ""
        if event.get("candidate"):
            scores = f"  held-out macro-F1 {event['candidate']['macro_f1']:.3f}"
            if event.get("active"):
                scores += f" (was {event['active']['macro_f1']:.3f})"
        forced = "  FORCED" if event.get("forced") else ""
        console.print(
            f"  {event['at']} {event['action']} {event['version']} "
            f"(from {event.get('previous')}) by {event['by']}{scores}{forced}"
        )


@models_app.command("show")
def models_show(
    version: Annotated[str, typer.Argument(help="Version id or folder.")],
    models_dir: ModelsDir = Path("models"),
) -> None:
    """A version's card as JSON."""
    try:
        card = read_card(resolve(models_dir, version))
    except TrainingError as error:
        _fail(error)
        return
    sys.stdout.write(json.dumps(card, indent=2) + "\n")


@models_app.command("compare")
def models_compare(
    first: Annotated[str, typer.Argument(help="Version A.")],
    second: Annotated[str, typer.Argument(help="Version B.")],
    data: Annotated[list[Path], typer.Option("--data", help="Labelled notes to score both on.")],
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Both models' per-theme metrics on the same notes, side by side, with B - A."""
    try:
        a, b = load_model(models_dir, first), load_model(models_dir, second)
        labels = {str(label) for label in a.tagger.classes_} | {
            str(label) for label in b.tagger.classes_
        }
        notes = load_samples(data, label_set=labels)
    except TrainingError as error:
        _fail(error)
        return
    report_a, report_b = score(a, notes), score(b, notes)
    table = Table(title=f"{a.version} (A) vs {b.version} (B) on {len(notes)} notes")
    for column in ("theme", "F1 A", "F1 B", "B - A", "precision A", "precision B",
                   "recall A", "recall B"):  # fmt: skip
        table.add_column(column, justify="left" if column == "theme" else "right")
    for theme in sorted(labels):
        sa, sb = report_a["per_theme"].get(theme), report_b["per_theme"].get(theme)
        if sa is None or sb is None:
            table.add_row(theme, *(["-"] * 7))
            continue
        table.add_row(
            theme, f"{sa['f1']:.3f}", f"{sb['f1']:.3f}", f"{sb['f1'] - sa['f1']:+.3f}",
            f"{sa['precision']:.3f}", f"{sb['precision']:.3f}",
            f"{sa['recall']:.3f}", f"{sb['recall']:.3f}",
        )  # fmt: skip
    for key in ("macro_f1", "micro_f1"):
        diff = report_b[key] - report_a[key]
        table.add_row(key.replace("_", " "), f"{report_a[key]:.3f}", f"{report_b[key]:.3f}",
                      f"{diff:+.3f}", "", "", "", "")  # fmt: skip
    console.print(table)


@models_app.command("promote")
def models_promote(
    version: Annotated[str, typer.Argument(help="The candidate version.")],
    heldout: HeldOut = None,
    tolerance: Annotated[
        float, typer.Option(help="Largest macro-F1 drop accepted.")
    ] = DEFAULT_TOLERANCE,
    max_theme_drop: Annotated[
        float, typer.Option(help="Largest drop of any theme's F1 accepted.")
    ] = DEFAULT_MAX_THEME_DROP,
    force: Annotated[bool, typer.Option(help="Promote even if the check fails.")] = False,
    by: Annotated[str | None, typer.Option(help="Who promotes (default: this user).")] = None,
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Score the candidate and the active model on the same held-out notes; make the
    candidate active unless it is worse beyond the tolerances (or --force)."""
    paths = heldout or [DEFAULT_HELDOUT]
    try:
        candidate = load_model(models_dir, version)
        current = read_active(models_dir)
        active = load_model(models_dir, current) if current else None
        notes = load_samples(paths, label_set={str(c) for c in candidate.tagger.classes_})
        check = check_promotion(
            candidate, active, notes, tolerance=tolerance, max_theme_drop=max_theme_drop
        )
        event = promote(models_dir, candidate, check, heldout=paths, force=force, by=by)
    except TrainingError as error:
        _fail(error)
        return
    was = f" (was {check.active['macro_f1']:.3f})" if check.active else ""
    console.print(f"held-out macro-F1 {check.candidate['macro_f1']:.3f}{was} on {len(notes)} notes")
    for problem in check.problems:
        console.print(f"[yellow]forced despite:[/yellow] {problem}")
    console.print(f"active model: {event['version']} (was {event['previous']})")


@models_app.command("rollback")
def models_rollback(
    by: Annotated[str | None, typer.Option(help="Who rolls back (default: this user).")] = None,
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Make the version active before the last promotion of the current one active again."""
    try:
        event = rollback(models_dir, by=by)
    except TrainingError as error:
        _fail(error)
        return
    console.print(f"active model: {event['version']} (was {event['previous']})")


@app.command("agreement")
def agreement_command(
    first: Annotated[Path, typer.Argument(help="Labelled notes (JSONL or CSV with ids).")],
    second: Annotated[Path, typer.Argument(help="The same notes labelled again.")],
    themes: ThemesFile = DEFAULT_THEMES_PATH,
) -> None:
    """Per-theme Cohen's kappa and Krippendorff's alpha between two labellings of the same
    notes, for building gold sets (two people, or a person and the model)."""
    try:
        codebook = [theme.id for theme in load_themes(themes)]
        pairs = pair_up(
            load_samples([first], label_set=set(codebook)),
            load_samples([second], label_set=set(codebook)),
        )
    except TrainingError as error:
        _fail(error)
        return
    table = Table(title=f"agreement on {len(pairs)} notes")
    for column in ("theme", "kappa", "alpha", "both", "only first", "only second"):
        table.add_column(column, justify="left" if column == "theme" else "right")
    for row in agreement(pairs, codebook):
        shown = [("-" if v is None else f"{v:.3f}") for v in (row.kappa, row.alpha)]
        table.add_row(row.theme, *shown, str(row.both), str(row.only_first), str(row.only_second))
    console.print(table)
