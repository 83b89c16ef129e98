"""One training run: validate samples, cross-validate both ways, fit, write a versioned model."""

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from training.config import TrainingConfig
from training.crossval import CVResult, Scheme, cross_validate
from training.estimator import ThemeTagger
from training.metrics import evaluate, indicator
from training.registry import file_sha256, library_versions, new_version, read_card, save_model
from training.samples import Sample, SamplesFile, load_samples, load_weighted_samples
from training.themes import Theme

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class TrainingRun:
    version: str
    folder: Path
    card: dict[str, Any]


def make_tagger(model: BaseModel, *, seed: int, themes: Sequence[Theme]) -> ThemeTagger:
    """A ThemeTagger with the parameters of ``[model]`` (or of a candidate), seeded with
    ``seed``; signal phrases come from the codebook."""
    parameters = model.model_dump()
    signals = (
        {theme.id: list(theme.signals) for theme in themes}
        if "signals" in parameters["features"]
        else None
    )
    return ThemeTagger(**parameters, signals=signals, random_state=seed)


def data_summary(sample_files: Sequence[SamplesFile], samples: Sequence[Sample]) -> dict[str, Any]:
    """SHA-256 of the sample files (in order), each file's weight, and the counts a model card
    reports (notes, not weighted)."""
    digest = hashlib.sha256()
    files = []
    for file in sample_files:
        content = Path(file.path).read_bytes()
        digest.update(content)
        files.append(
            {
                "path": str(file.path),
                "sha256": hashlib.sha256(content).hexdigest(),
                "weight": file.weight,
            }
        )
    labels = Counter(label for sample in samples for label in sample.labels)
    return {
        "sha256": digest.hexdigest(),
        "files": files,
        "n": len(samples),
        "per_theme": dict(sorted(labels.items())),
        "no_theme": sum(1 for sample in samples if not sample.labels),
        "per_source": dict(sorted(Counter(sample.source for sample in samples).items())),
    }


def evaluate_design(
    tagger: ThemeTagger,
    samples: Sequence[Sample],
    config: TrainingConfig,
    *,
    sample_weight: Sequence[float] | None = None,
    on_fold: Callable[[str], None] | None = None,
) -> dict[str, CVResult]:
    """The configured generalisation estimates: stratified always; grouped by source and
    by genre family when asked for and there are at least two groups. Weights go to each
    fold's fit; the scores count every note once."""
    results = {}
    for name, scheme, folds in _schemes(samples, config):
        results[name] = cross_validate(
            tagger,
            samples,
            scheme=scheme,
            n_splits=folds,
            seed=config.seed,
            sample_weight=sample_weight,
            on_fold=on_fold,
        )
    return results


def _schemes(samples: Sequence[Sample], config: TrainingConfig) -> list[tuple[str, Scheme, int]]:
    """(card key, scheme, folds) of each cross-validation a training run makes."""
    evaluation = config.evaluation
    schemes: list[tuple[str, Scheme, int]] = [
        ("stratified", "stratified", evaluation.stratified_folds)
    ]
    sources, families = {s.source for s in samples}, {s.family for s in samples}
    if evaluation.grouped_folds and len(sources) >= 2:
        schemes.append(
            ("grouped_by_source", "grouped", min(evaluation.grouped_folds, len(sources)))
        )
    if evaluation.family_folds and len(families) >= 2:
        schemes.append(("grouped_by_family", "family", min(evaluation.family_folds, len(families))))
    return schemes


def count_steps(samples: Sequence[Sample], config: TrainingConfig) -> int:
    """Folds of every cross-validation plus the final fit."""
    return sum(folds for _, _, folds in _schemes(samples, config)) + 1


def transfer_scores(
    tagger: ThemeTagger, config: TrainingConfig, themes: Sequence[Theme]
) -> dict[str, Any] | None:
    """The fitted model on the transfer set (other genres, other writers), or None when
    the config names none or it is not in the working directory (an installed package)."""
    name = config.evaluation.transfer_set
    if name is None or not Path(name).is_file():
        return None
    notes = load_samples([Path(name)], label_set={theme.id for theme in themes})
    labels = [str(label) for label in tagger.classes_]
    predicted = tagger.predict([note.text for note in notes])
    report = evaluate(indicator([note.labels for note in notes], labels), predicted, labels)
    return {"file": name, "sha256": file_sha256(Path(name)), "report": report}


def model_card(
    tagger: ThemeTagger,
    *,
    themes: Sequence[Theme],
    data: dict[str, Any],
    config: TrainingConfig,
    metrics: dict[str, CVResult],
    transfer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What a fitted model's card records (the registry adds the version)."""
    definitions = {theme.id: theme for theme in themes}
    return {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "labels": [
            {
                "id": str(label),
                "name": definitions[label].name if label in definitions else str(label),
                "definition": definitions[label].definition if label in definitions else None,
            }
            for label in tagger.classes_
        ],
        "thresholds": {
            str(label): float(threshold)
            for label, threshold in zip(tagger.classes_, tagger.thresholds_, strict=True)
        },
        "data": data,
        "config": config.model_dump(mode="json"),
        "metrics": metrics,
        "transfer": transfer,
        "libraries": library_versions(),
    }


def train_model(
    sample_files: Sequence[SamplesFile],
    *,
    config: TrainingConfig,
    themes: Sequence[Theme],
    models_dir: Path,
    progress: Progress | None = None,
) -> TrainingRun:
    """Validate the samples, cross-validate, fit on everything and register a new version;
    each file's notes count with its weight in every fit."""
    samples, weights = load_weighted_samples(sample_files, label_set={theme.id for theme in themes})
    total = count_steps(samples, config)
    done = 0

    def step(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, what)

    tagger = make_tagger(config.model, seed=config.seed, themes=themes)
    metrics = evaluate_design(
        tagger, samples, config, sample_weight=weights, on_fold=lambda fold: step(f"CV {fold}")
    )
    tagger.fit(
        [s.text for s in samples],
        [s.labels for s in samples],
        groups=[s.source for s in samples],
        sample_weight=weights,
    )
    step("final fit")
    data = data_summary(sample_files, samples)
    transfer = transfer_scores(tagger, config, themes)
    card = model_card(
        tagger, themes=themes, data=data, config=config, metrics=metrics, transfer=transfer
    )
    models_dir.mkdir(parents=True, exist_ok=True)
    version = new_version(models_dir, data["sha256"])
    folder = save_model(models_dir, version, tagger, card)
    return TrainingRun(version=version, folder=folder, card=read_card(folder))
