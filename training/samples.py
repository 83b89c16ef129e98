"""Loading labelled notes from JSON Lines or CSV; anything malformed is refused, not dropped."""

import csv
import json
import math
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training.errors import SampleError

LABEL_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")
CSV_LABEL_SEPARATOR = ";"


@dataclass(frozen=True)
class Sample:
    """A labelled session note."""

    id: str
    text: str
    labels: tuple[str, ...]
    source: str
    # The kind of writing's family (education, health, ...) that the genre-family
    # cross-validation holds out whole; a file without the field is one family.
    family: str = ""


@dataclass(frozen=True)
class SamplesFile:
    """A samples file and how much each of its notes counts in the fit (as that many copies)."""

    path: Path
    weight: float = 1.0


def parse_samples_file(spec: str) -> SamplesFile:
    """Read ``PATH`` or ``PATH:WEIGHT``.

    A ``spec`` that names an existing file is taken whole, colons and all; otherwise the
    text after the last ``:`` is the weight.

    Parameters
    ----------
    spec
        The path, optionally followed by ``:`` and a positive finite number (default 1).

    Raises
    ------
    SampleError
        When the weight is not a positive finite number.
    """
    if ":" not in spec or Path(spec).is_file():
        return SamplesFile(Path(spec))
    path, _, text = spec.rpartition(":")
    try:
        weight = float(text)
    except ValueError:
        weight = math.nan
    if not (math.isfinite(weight) and weight > 0):
        raise SampleError(spec, None, f"weight {text!r} must be a positive finite number")
    return SamplesFile(Path(path), weight)


def load_samples(
    paths: Sequence[Path], *, label_set: Collection[str] | None = None
) -> list[Sample]:
    """Load and validate every file; ids must be unique across all of them.

    Parameters
    ----------
    paths
        ``.jsonl`` files (one object a line with ``id``, ``text``, ``labels``, optional
        ``source``) or ``.csv`` files (columns ``text`` and ``labels`` separated by ``;``,
        optional ``id`` and ``source``).
    label_set
        When given, a label outside it is an error.
    """
    return [sample for per_file in _load_files(paths, label_set) for sample in per_file]


def load_weighted_samples(
    files: Sequence[SamplesFile], *, label_set: Collection[str] | None = None
) -> tuple[list[Sample], list[float]]:
    """Like `load_samples`, plus the weight of each sample: the weight of its file.

    Parameters
    ----------
    files
        The samples files, in order, with their weights.
    label_set
        When given, a label outside it is an error.
    """
    per_file = _load_files([file.path for file in files], label_set)
    samples = [sample for loaded in per_file for sample in loaded]
    weights = [file.weight for file, loaded in zip(files, per_file, strict=True) for _ in loaded]
    return samples, weights


def _load_files(paths: Sequence[Path], label_set: Collection[str] | None) -> list[list[Sample]]:
    """The samples of each file; ids must be unique across all of them."""
    per_file: list[list[Sample]] = []
    seen: dict[str, str] = {}
    for path in paths:
        samples = []
        for line, sample in _read_file(Path(path), label_set):
            if sample.id in seen:
                raise SampleError(
                    str(path), line, f"duplicate id {sample.id!r} (first seen at {seen[sample.id]})"
                )
            seen[sample.id] = f"{path}:{line}"
            samples.append(sample)
        per_file.append(samples)
    if not any(per_file):
        raise SampleError(", ".join(str(p) for p in paths), None, "no samples found")
    return per_file


def _read_file(path: Path, label_set: Collection[str] | None) -> Iterable[tuple[int, Sample]]:
    if not path.is_file():
        raise SampleError(str(path), None, "file not found")
    if path.suffix == ".jsonl":
        return _read_jsonl(path, label_set)
    if path.suffix == ".csv":
        return _read_csv(path, label_set)
    raise SampleError(str(path), None, f"unsupported file type {path.suffix!r}: use .jsonl or .csv")


def read_json_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line of a JSON Lines file."""
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SampleError(str(path), line_number, f"bad JSON: {exc.msg}") from exc
            if not isinstance(record, dict):
                raise SampleError(str(path), line_number, "each line must be a JSON object")
            yield line_number, record


def _read_jsonl(path: Path, label_set: Collection[str] | None) -> Iterable[tuple[int, Sample]]:
    for line_number, record in read_json_objects(path):
        yield line_number, _to_sample(record, path, line_number, label_set)


def _read_csv(path: Path, label_set: Collection[str] | None) -> Iterable[tuple[int, Sample]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"text", "labels"} - set(reader.fieldnames or [])
        if missing:
            raise SampleError(str(path), 1, f"missing CSV column(s): {', '.join(sorted(missing))}")
        for row_number, row in enumerate(reader, start=1):
            labels_cell = row.get("labels") or ""
            record: dict[str, Any] = {
                "id": row.get("id") or f"{path.stem}-{row_number}",
                "text": row.get("text"),
                "labels": [
                    part.strip() for part in labels_cell.split(CSV_LABEL_SEPARATOR) if part.strip()
                ],
                "source": row.get("source") or None,
            }
            yield reader.line_num, _to_sample(record, path, reader.line_num, label_set)


def _to_sample(
    record: dict[str, Any], path: Path, line: int, label_set: Collection[str] | None
) -> Sample:
    sample_id = record.get("id")
    if not isinstance(sample_id, str) or not sample_id.strip():
        raise SampleError(str(path), line, "field 'id' must be a non-empty string")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise SampleError(
            str(path), line, f"field 'text' of {sample_id!r} is empty or not a string"
        )
    labels = record.get("labels")
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise SampleError(
            str(path), line, f"field 'labels' of {sample_id!r} must be a list of strings"
        )
    for label in labels:
        if not LABEL_PATTERN.match(label):
            raise SampleError(
                str(path), line, f"label {label!r} of {sample_id!r} is not a lower-case id"
            )
        if label_set is not None and label not in label_set:
            raise SampleError(
                str(path),
                line,
                f"unknown label {label!r} of {sample_id!r}; known: {', '.join(sorted(label_set))}",
            )
    if len(set(labels)) != len(labels):
        raise SampleError(str(path), line, f"field 'labels' of {sample_id!r} repeats a label")
    source = record.get("source")
    if source is not None and (not isinstance(source, str) or not source.strip()):
        raise SampleError(
            str(path), line, f"field 'source' of {sample_id!r} must be a non-empty string"
        )
    family = record.get("family")
    if family is not None and (not isinstance(family, str) or not family.strip()):
        raise SampleError(
            str(path), line, f"field 'family' of {sample_id!r} must be a non-empty string"
        )
    return Sample(
        id=sample_id,
        text=text,
        labels=tuple(sorted(labels)),
        source=source or path.stem,
        family=family or path.stem,
    )
