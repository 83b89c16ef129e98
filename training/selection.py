"""Choosing a design: cross-validate every candidate of the config the same way."""

import time
from collections.abc import Sequence
from typing import TypedDict

from training.config import TrainingConfig
from training.samples import Sample
from training.themes import Theme
from training.train import Progress, evaluate_design, make_tagger


class CandidateResult(TypedDict):
    grouped_macro_f1: float
    grouped_min_theme_f1: float
    grouped_no_theme_accuracy: float
    stratified_macro_f1: float
    per_theme_grouped_f1: dict[str, float]
    seconds: float


class Comparison(TypedDict):
    best: str
    candidates: dict[str, CandidateResult]


def select_design(
    samples: Sequence[Sample],
    *,
    config: TrainingConfig,
    themes: Sequence[Theme],
    progress: Progress | None = None,
) -> Comparison:
    """Score each candidate with both cross-validations; the best grouped macro-F1 wins,
    because the grouped score is the one that predicts notes written in unseen styles."""
    names = list(config.selection.candidates)
    results: dict[str, CandidateResult] = {}
    for done, name in enumerate(names, start=1):
        started = time.perf_counter()
        tagger = make_tagger(config.candidate(name), seed=config.seed, themes=themes)
        metrics = evaluate_design(tagger, samples, config)
        grouped = metrics.get("grouped_by_source", metrics["stratified"])["pooled"]
        results[name] = CandidateResult(
            grouped_macro_f1=grouped["macro_f1"],
            grouped_min_theme_f1=min(s["f1"] for s in grouped["per_theme"].values()),
            grouped_no_theme_accuracy=grouped["no_theme_accuracy"] or 0.0,
            stratified_macro_f1=metrics["stratified"]["pooled"]["macro_f1"],
            per_theme_grouped_f1={k: v["f1"] for k, v in grouped["per_theme"].items()},
            seconds=round(time.perf_counter() - started, 1),
        )
        if progress is not None:
            progress(done, len(names), f"design {name}")
    best = max(results, key=lambda name: results[name]["grouped_macro_f1"])
    return Comparison(best=best, candidates=results)
