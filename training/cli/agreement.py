"""``agreement``: how far two labellings of the same notes agree, per theme."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from training.agreement import agreement, pair_up
from training.cli.console import console, fail
from training.cli.options import ThemesFile
from training.errors import TrainingError
from training.samples import load_samples
from training.themes import DEFAULT_THEMES, load_themes

app = typer.Typer()


@app.command("agreement")
def agreement_command(
    first: Annotated[Path, typer.Argument(help="Labelled notes (JSONL or CSV with ids).")],
    second: Annotated[Path, typer.Argument(help="The same notes labelled again.")],
    themes: ThemesFile = None,
) -> None:
    """Per-theme Cohen's kappa and Krippendorff's alpha between two labellings of the same
    notes, for building gold sets (two people, or a person and the model)."""
    try:
        codebook = [theme.id for theme in load_themes(themes or DEFAULT_THEMES)]
        pairs = pair_up(
            load_samples([first], label_set=set(codebook)),
            load_samples([second], label_set=set(codebook)),
        )
    except TrainingError as error:
        fail(error)
    table = Table(title=f"agreement on {len(pairs)} notes")
    for column in ("theme", "kappa", "alpha", "both", "only first", "only second"):
        table.add_column(column, justify="left" if column == "theme" else "right")
    for row in agreement(pairs, codebook):
        shown = [("-" if v is None else f"{v:.3f}") for v in (row.kappa, row.alpha)]
        table.add_row(row.theme, *shown, str(row.both), str(row.only_first), str(row.only_second))
    console.print(table)
