"""``train``: cross-validate, fit and register a new model version."""

from typing import Annotated

import typer
from rich.table import Table

from training.cli.console import console, fail, progress_bar
from training.cli.options import (
    ConfigFile,
    OutDir,
    ThemesFile,
    WeightedSamplesFiles,
    default_samples,
)
from training.config import DEFAULT_CONFIG, load_config
from training.errors import TrainingError
from training.registry import DEFAULT_MODELS_DIR, read_active
from training.samples import SamplesFile
from training.themes import DEFAULT_THEMES, load_themes
from training.train import train_model

app = typer.Typer()


@app.command()
def train(
    samples: WeightedSamplesFiles = None,
    config: ConfigFile = None,
    themes: ThemesFile = None,
    out: OutDir = DEFAULT_MODELS_DIR,
    unless_active: Annotated[
        bool, typer.Option(help="Do nothing when the registry already has an active model.")
    ] = False,
) -> None:
    """Cross-validate, fit on all samples and register a new model version."""
    if unless_active and read_active(out) is not None:
        console.print(f"active model {read_active(out)} already in {out}; not training")
        return
    try:
        training_config = load_config(config or DEFAULT_CONFIG)
        codebook = load_themes(themes or DEFAULT_THEMES)
        with progress_bar(1, "training") as advance:
            run = train_model(
                samples or [SamplesFile(path) for path in default_samples()],
                config=training_config,
                themes=codebook,
                models_dir=out,
                progress=advance,
            )
    except TrainingError as error:
        fail(error)
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
    transfer = run.card.get("transfer")
    if transfer:
        report = transfer["report"]
        console.print(
            f"transfer set {transfer['file']}: macro F1 {report['macro_f1']:.3f}, "
            f"no-theme notes left untagged {report['no_theme_accuracy'] or 0:.3f}"
        )
    console.print(f"written to {run.folder}; active model: {read_active(out)}")
