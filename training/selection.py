"""Choosing a design: cross-validate every candidate of the config the same way and score
it on the transfer set. The grouped score is the genre-family one when the samples span
families (else by source); the best design has the highest mean of that and the transfer
macro-F1 (the grouped score alone without a transfer set), because those two predict notes
of kinds nobody wrote for us, where the voice-grouped and stratified scores flatter."""

import time
from collections.abc import Sequence
from typing import TypedDict

from training.config import TrainingConfig
from training.samples import Sample
from training.themes import Theme
from training.train import Progress, evaluate_design, make_tagger, transfer_scores


class CandidateResult(TypedDict):
    grouped_scheme: str
    grouped_macro_f1: float
    transfer_macro_f1: float | None
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
    """Score each candidate with the configured cross-validations and on the transfer set;
    the module docstring says which wins."""
    names = list(config.selection.candidates)
    results: dict[str, CandidateResult] = {}
    for done, name in enumerate(names, start=1):
        started = time.perf_counter()
        tagger = make_tagger(config.candidate(name), seed=config.seed, themes=themes)
        metrics = evaluate_design(tagger, samples, config)
        scheme = next(
            (s for s in ("grouped_by_family", "grouped_by_source") if s in metrics), "stratified"
        )
        grouped = metrics[scheme]["pooled"]
        tagger.fit(
            [s.text for s in samples],
            [s.labels for s in samples],
            groups=[s.source for s in samples],
        )
        transfer = transfer_scores(tagger, config, themes)
        results[name] = CandidateResult(
            grouped_scheme=scheme,
            grouped_macro_f1=grouped["macro_f1"],
            transfer_macro_f1=None if transfer is None else transfer["report"]["macro_f1"],
            grouped_min_theme_f1=min(s["f1"] for s in grouped["per_theme"].values()),
            grouped_no_theme_accuracy=grouped["no_theme_accuracy"] or 0.0,
            stratified_macro_f1=metrics["stratified"]["pooled"]["macro_f1"],
            per_theme_grouped_f1={k: v["f1"] for k, v in grouped["per_theme"].items()},
            seconds=round(time.perf_counter() - started, 1),
        )
        if progress is not None:
            progress(done, len(names), f"design {name}")
    best = max(results, key=lambda name: _selection_score(results[name]))
    return Comparison(best=best, candidates=results)


def _selection_score(result: CandidateResult) -> float:
    transfer = result["transfer_macro_f1"]
    grouped = result["grouped_macro_f1"]
    return grouped if transfer is None else (grouped + transfer) / 2
