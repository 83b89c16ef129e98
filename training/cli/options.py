"""Options several commands share."""

from pathlib import Path
from typing import Annotated

import typer

from training.cli.console import fail
from training.errors import SampleError
from training.samples import SamplesFile, parse_samples_file

# The repository's samples, relative to the working directory (a checkout).
DEFAULT_SAMPLES = Path("data/samples/notes.jsonl")
# Notes in the kinds of writing real notes come in, one file per genre family.
DEFAULT_GENRE_SAMPLES = Path("data/samples/genres")
DEFAULT_SAMPLES_HELP = f"{DEFAULT_SAMPLES} and {DEFAULT_GENRE_SAMPLES}/*.jsonl"
# The variable the service reads the registry folder from (its models_dir setting).
MODELS_DIR_VARIABLE = "MENTOR_THEMES_MODELS_DIR"

ModelsDir = Annotated[
    Path,
    typer.Option("--models-dir", envvar=MODELS_DIR_VARIABLE, help="The model registry folder."),
]
OutDir = Annotated[
    Path, typer.Option("--out", envvar=MODELS_DIR_VARIABLE, help="The model registry folder.")
]
SamplesFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--samples", help=f"Samples file(s), .jsonl or .csv (default: {DEFAULT_SAMPLES_HELP})."
    ),
]


def samples_file(spec: str) -> SamplesFile:
    try:
        return parse_samples_file(spec)
    except SampleError as error:
        raise typer.BadParameter(str(error)) from error


WeightedSamplesFiles = Annotated[
    list[SamplesFile] | None,
    typer.Option(
        "--samples",
        parser=samples_file,
        metavar="PATH[:WEIGHT]",
        help=f"Samples file(s), .jsonl or .csv (default: {DEFAULT_SAMPLES_HELP}); each note of the "
        "file counts WEIGHT times in the fit (a positive number, default 1).",
    ),
]
ConfigFile = Annotated[
    Path | None,
    typer.Option(help="Training config (TOML); default: the one shipped with mentor-themes."),
]
ThemesFile = Annotated[
    Path | None,
    typer.Option(help="Codebook (themes.json); default: the one shipped with mentor-themes."),
]


def default_file(path: Path, option: str) -> Path:
    """``path``, the default of ``option``, if it is there; else fail saying to give the option
    (the defaults are relative to the working directory, a checkout's root)."""
    if not path.is_file():
        fail(
            f"{path}, the default of {option}, is not found in the working directory; "
            f"give {option} PATH (or run from a checkout of mentor-themes)"
        )
    return path


def default_samples() -> list[Path]:
    """The repository's samples (a checkout): notes.jsonl and every genre family's file."""
    notes = default_file(DEFAULT_SAMPLES, "--samples")
    return [notes, *sorted(DEFAULT_GENRE_SAMPLES.glob("*.jsonl"))]
