"""``models``: the model registry: list, show, compare, promote, roll back."""

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from training.cli.console import console, fail
from training.cli.options import ModelsDir, default_file
from training.errors import TrainingError
from training.promotion import (
    DEFAULT_HELDOUT,
    DEFAULT_MAX_THEME_DROP,
    DEFAULT_TOLERANCE,
    check_and_promote,
    read_history,
    rollback,
    score,
)
from training.registry import (
    DEFAULT_MODELS_DIR,
    list_cards,
    load_model,
    read_active,
    read_card,
    resolve,
)
from training.samples import load_samples

app = typer.Typer(help="The model registry: list, compare, promote, roll back.")
HeldOut = Annotated[
    list[Path] | None,
    typer.Option(
        "--heldout",
        help=f"Labelled notes both models are scored on; default: {DEFAULT_HELDOUT}.",
    ),
]


def _headline(card: dict[str, Any]) -> str:
    metrics = card.get("metrics", {})
    parts = []
    transfer = card.get("transfer")
    if transfer:
        parts.append(f"transfer macro-F1 {transfer['report']['macro_f1']:.3f}")
    for scheme in ("grouped_by_family", "grouped_by_source", "stratified"):
        pooled = metrics.get(scheme, {}).get("pooled")
        if pooled:
            name = scheme.removeprefix("grouped_by_")
            parts.append(f"{name} macro-F1 {pooled['macro_f1']:.3f}")
    parts.append(f"n={card.get('data', {}).get('n', '?')}")
    return "  ".join(parts)


@app.command("list")
def models_list(models_dir: ModelsDir = DEFAULT_MODELS_DIR) -> None:
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


@app.command("show")
def models_show(
    version: Annotated[str, typer.Argument(help="Version id or folder.")],
    models_dir: ModelsDir = DEFAULT_MODELS_DIR,
) -> None:
    """A version's card as JSON."""
    try:
        card = read_card(resolve(models_dir, version))
    except TrainingError as error:
        fail(error)
    sys.stdout.write(json.dumps(card, indent=2) + "\n")


@app.command("compare")
def models_compare(
    first: Annotated[str, typer.Argument(help="Version A.")],
    second: Annotated[str, typer.Argument(help="Version B.")],
    data: Annotated[list[Path], typer.Option("--data", help="Labelled notes to score both on.")],
    models_dir: ModelsDir = DEFAULT_MODELS_DIR,
) -> None:
    """Both models' per-theme metrics on the same notes, side by side, with B - A."""
    try:
        a, b = load_model(models_dir, first), load_model(models_dir, second)
        labels = set(a.labels) | set(b.labels)
        notes = load_samples(data, label_set=labels)
    except TrainingError as error:
        fail(error)
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


@app.command("promote")
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
    models_dir: ModelsDir = DEFAULT_MODELS_DIR,
) -> None:
    """Score the candidate and the active model on the same held-out notes; make the
    candidate active unless it is worse beyond the tolerances (or --force)."""
    paths = heldout or [default_file(DEFAULT_HELDOUT, "--heldout")]
    try:
        promotion = check_and_promote(
            models_dir,
            load_model(models_dir, version),
            heldout=paths,
            tolerance=tolerance,
            max_theme_drop=max_theme_drop,
            force=force,
            by=by,
        )
    except TrainingError as error:
        fail(error)
    check, event = promotion.check, promotion.event
    was = f" (was {check.active['macro_f1']:.3f})" if check.active else ""
    console.print(
        f"held-out macro-F1 {check.candidate['macro_f1']:.3f}{was} on {promotion.notes} notes"
    )
    for problem in check.problems:
        console.print(f"[yellow]forced despite:[/yellow] {problem}")
    console.print(f"active model: {event['version']} (was {event['previous']})")


@app.command("rollback")
def models_rollback(
    by: Annotated[str | None, typer.Option(help="Who rolls back (default: this user).")] = None,
    models_dir: ModelsDir = DEFAULT_MODELS_DIR,
) -> None:
    """Make the version active before the last promotion of the current one active again."""
    try:
        event = rollback(models_dir, by=by)
    except TrainingError as error:
        fail(error)
    console.print(f"active model: {event['version']} (was {event['previous']})")
