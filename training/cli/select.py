"""``select``: compare the candidate designs of the config by cross-validation."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from training.cli.console import console, fail, progress_bar
from training.cli.options import (
    ConfigFile,
    SamplesFiles,
    ThemesFile,
    default_samples,
)
from training.config import DEFAULT_CONFIG, load_config
from training.errors import TrainingError
from training.samples import load_samples
from training.selection import select_design
from training.themes import DEFAULT_THEMES, load_themes

app = typer.Typer()


@app.command()
def select(
    samples: SamplesFiles = None,
    config: ConfigFile = None,
    themes: ThemesFile = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the comparison here.")
    ] = None,
) -> None:
    """Cross-validate every candidate design of the config and score it on the transfer set;
    the best mean of the genre-family grouped and transfer macro-F1 wins."""
    try:
        training_config = load_config(config or DEFAULT_CONFIG)
        codebook = load_themes(themes or DEFAULT_THEMES)
        paths = samples or default_samples()
        notes = load_samples(paths, label_set={theme.id for theme in codebook})
        with progress_bar(1, "comparing designs") as advance:
            comparison = select_design(
                notes, config=training_config, themes=codebook, progress=advance
            )
    except TrainingError as error:
        fail(error)
    table = Table(title="candidate designs (pooled out-of-fold scores)")
    for column in (
        "design",
        "grouped by",
        "grouped macro F1",
        "transfer macro F1",
        "grouped min theme F1",
        "stratified macro F1",
        "no-theme acc.",
        "fit seconds",
    ):
        table.add_column(column, justify="left" if column == "design" else "right")
    for name, result in comparison["candidates"].items():
        table.add_row(
            ("* " if name == comparison["best"] else "  ") + name,
            result["grouped_scheme"].removeprefix("grouped_by_"),
            f"{result['grouped_macro_f1']:.3f}",
            "-" if result["transfer_macro_f1"] is None else f"{result['transfer_macro_f1']:.3f}",
            f"{result['grouped_min_theme_f1']:.3f}",
            f"{result['stratified_macro_f1']:.3f}",
            f"{result['grouped_no_theme_accuracy']:.3f}",
            f"{result['seconds']:.1f}",
        )
    console.print(table)
    console.print(f"best (grouped and transfer macro-F1): {comparison['best']}")
    if json_out is not None:
        json_out.write_text(json.dumps(comparison, indent=2) + "\n", encoding="utf-8")
