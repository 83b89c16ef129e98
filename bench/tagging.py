"""Tagging and training benchmark: prints figures, asserts nothing.

Measured in one run, so ratios compare like with like on the same machine and load:
- throughput of full tagging with evidence over 10,000 notes, against the bare spaCy
  blank-English tokenizer over the same notes;
- single-note latency (p50/p99);
- fit time at 25/50/100% of the samples and at 2x/4x by resampling;
- peak RSS of a process that loads a model and tags one note, against one that only
  imports the libraries.

Usage: python bench/tagging.py [--notes 10000] [--samples data/samples/notes.jsonl]
"""

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import joblib

from training.config import load_config
from training.nlp import blank_pipeline
from training.samples import Sample, load_samples
from training.themes import load_themes
from training.train import make_tagger

# VmHWM, not ru_maxrss: a child's ru_maxrss starts from the parent's size at fork.
RSS_PROBE = """
import sys
import joblib, spacy, sklearn, training.estimator
if sys.argv[1] == "load":
    tagger = joblib.load(sys.argv[2])
    tagger.tag(["She rehearsed her pitch and felt more confident."])
status = open("/proc/self/status").read().split("VmHWM:")[1]
print(int(status.split()[0]))
"""
ROUNDS = 3


def fit_seconds(samples: list[Sample], seed: int) -> float:
    config = load_config()
    tagger = make_tagger(config.model, seed=seed, themes=load_themes())
    started = time.perf_counter()
    tagger.fit(
        [s.text for s in samples], [s.labels for s in samples], groups=[s.source for s in samples]
    )
    return time.perf_counter() - started


def peak_rss_mib(*args: str) -> float:
    output = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, *args], check=True, capture_output=True, text=True
    ).stdout
    return int(output.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--samples", type=Path, default=Path("data/samples/notes.jsonl"))
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    samples = load_samples([args.samples])
    config = load_config()
    themes = load_themes()

    print(f"samples: {len(samples)} notes; model features: {'+'.join(config.model.features)}")
    print("\n== training time (one fit, including its inner threshold cross-validation)")
    sizes = [("25%", 0.25), ("50%", 0.5), ("100%", 1.0), ("2x", 2.0), ("4x", 4.0)]
    baseline = None
    for name, factor in sizes:
        if factor <= 1:
            subset = rng.sample(samples, int(len(samples) * factor))
        else:
            subset = [rng.choice(samples) for _ in range(int(len(samples) * factor))]
        seconds = fit_seconds(subset, args.seed)
        baseline = baseline or seconds
        growth = seconds / baseline
        print(f"{name:>5}: {len(subset):>6} notes  {seconds:7.1f} s  ({growth:4.1f}x the 25% fit)")

    tagger = make_tagger(config.model, seed=args.seed, themes=themes)
    tagger.fit(
        [s.text for s in samples], [s.labels for s in samples], groups=[s.source for s in samples]
    )
    notes = [rng.choice(samples).text for _ in range(args.notes)]
    words = statistics.mean(len(n.split()) for n in notes)
    print(f"\n== batch throughput over {len(notes)} notes ({words:.0f} words on average)")
    nlp = blank_pipeline()
    tagger.tag(notes[:200])  # warm caches the same way for both
    list(nlp.tokenizer.pipe(notes[:200]))
    # Alternate the two in rounds: this machine's speed drifts, and a ratio is only fair
    # between measurements taken side by side.
    bare_rates, full_rates, ratios = [], [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _doc in nlp.tokenizer.pipe(notes, batch_size=1000):
            pass
        bare_rates.append(len(notes) / (time.perf_counter() - started))
        started = time.perf_counter()
        tagged = tagger.tag(notes)
        full_rates.append(len(notes) / (time.perf_counter() - started))
        ratios.append(full_rates[-1] / bare_rates[-1])
    themed = sum(1 for t in tagged if t)
    print(
        f"bare spaCy tokenizer:   {statistics.median(bare_rates):8.0f} notes/s (median of {ROUNDS})"
    )
    print(
        f"tagging with evidence:  {statistics.median(full_rates):8.0f} notes/s (median of {ROUNDS})"
    )
    print(
        f"ratio per round: {', '.join(f'{r:.2f}' for r in ratios)}; "
        f"median {statistics.median(ratios):.2f}x the bare tokenizer"
    )
    print(f"notes given at least one theme: {themed / len(notes):.0%}")

    print("\n== what each candidate design costs (one round each, same notes)")
    for name in config.selection.candidates:
        candidate = make_tagger(config.candidate(name), seed=args.seed, themes=themes)
        candidate.fit(
            [s.text for s in samples],
            [s.labels for s in samples],
            groups=[s.source for s in samples],
        )
        candidate.tag(notes[:200])
        started = time.perf_counter()
        for _doc in nlp.tokenizer.pipe(notes, batch_size=1000):
            pass
        bare_rate = len(notes) / (time.perf_counter() - started)
        started = time.perf_counter()
        candidate.tag(notes)
        rate = len(notes) / (time.perf_counter() - started)
        print(f"{name:<36} {rate:7.0f} notes/s  {rate / bare_rate:.2f}x the bare tokenizer")

    print("\n== single-note latency (one call per note, 1,000 calls)")
    latencies = []
    for note in notes[:1000]:
        started = time.perf_counter()
        tagger.tag([note])
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    print(f"p50 {latencies[499]:.2f} ms   p99 {latencies[989]:.2f} ms")

    print("\n== memory")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.joblib"
        joblib.dump(tagger, path, compress=3)
        size = path.stat().st_size / 1024 / 1024
        imports_only = peak_rss_mib("imports")
        loaded = peak_rss_mib("load", str(path))
    print(f"model file: {size:.1f} MiB on disk")
    print(f"peak RSS, libraries imported: {imports_only:.0f} MiB")
    print(
        f"peak RSS, model loaded and tagging: {loaded:.0f} MiB (+{loaded - imports_only:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
