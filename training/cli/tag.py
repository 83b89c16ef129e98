"""``tag``: tag one note or a JSON Lines file of them, with evidence."""

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from training.cli.console import console, fail, progress_bar
from training.cli.options import ModelsDir
from training.errors import SampleError, TrainingError
from training.registry import DEFAULT_MODELS_DIR, load_model
from training.results import ThemeMatch
from training.samples import read_json_objects

TAG_BATCH = 1000

app = typer.Typer()


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
    models_dir: ModelsDir = DEFAULT_MODELS_DIR,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Tag one note, or every note of a JSON Lines file, with themes and evidence."""
    if (text is None) == (input_file is None):
        fail(ValueError("give either a TEXT argument or --input FILE.jsonl"))
    try:
        loaded = load_model(models_dir, model)
        records = [{"text": text}] if text is not None else _read_notes(input_file)  # type: ignore[arg-type]
    except TrainingError as error:
        fail(error)
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
