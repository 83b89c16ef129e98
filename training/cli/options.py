"""Options several commands share."""

from pathlib import Path
from typing import Annotated

import typer

from training.errors import SampleError
from training.samples import SamplesFile, parse_samples_file

DEFAULT_SAMPLES = Path("data/samples/notes.jsonl")

ModelsDir = Annotated[Path, typer.Option("--models-dir", help="The model registry folder.")]
SamplesFiles = Annotated[
    list[Path] | None, typer.Option("--samples", help="Samples file(s), .jsonl or .csv.")
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
        help="Samples file(s), .jsonl or .csv; each note of the file counts WEIGHT times in "
        "the fit (a positive number, default 1).",
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
