"""Promotion and rollback of model versions, judged on a held-out file, with a history.

The registry is the models folder: version folders, the ``active`` pointer (replaced
atomically, so every worker or replica reading the same folder agrees) and
``history.jsonl``, one JSON object per promotion or rollback: who, when, which version
replaced which, and both models' scores on the held-out notes."""

import getpass
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from training.errors import ModelError
from training.metrics import Report, evaluate, indicator
from training.registry import LoadedModel, file_sha256, load_model, read_active, set_active
from training.samples import Sample, load_samples

HISTORY_FILE = "history.jsonl"
# The repository's held-out notes, relative to the working directory (a checkout).
DEFAULT_HELDOUT = Path("data/samples/holdout.jsonl")
DEFAULT_TOLERANCE = 0.01
DEFAULT_MAX_THEME_DROP = 0.05


def score(model: LoadedModel, notes: Sequence[Sample]) -> Report:
    """A model's metrics on labelled notes."""
    labels = list(model.labels)
    predicted = model.tagger.predict([note.text for note in notes])
    return evaluate(indicator([note.labels for note in notes], labels), predicted, labels)


@dataclass
class PromotionCheck:
    """The candidate against the active model on the same notes, and what would block it."""

    candidate: Report
    active: Report | None
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def check_promotion(
    candidate: LoadedModel,
    active: LoadedModel | None,
    notes: Sequence[Sample],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    max_theme_drop: float = DEFAULT_MAX_THEME_DROP,
) -> PromotionCheck:
    """Refuse a candidate whose macro-F1 is lower than the active model's by more than
    ``tolerance``, or any of whose themes' F1 drops by more than ``max_theme_drop``."""
    check = PromotionCheck(candidate=score(candidate, notes), active=None)
    if active is None:
        return check
    check.active = score(active, notes)
    drop = check.active["macro_f1"] - check.candidate["macro_f1"]
    if drop > tolerance:
        check.problems.append(
            f"macro-F1 {check.candidate['macro_f1']:.3f} is {drop:.3f} below the active "
            f"model's {check.active['macro_f1']:.3f} (tolerance {tolerance})"
        )
    for theme, scores in check.active["per_theme"].items():
        new = check.candidate["per_theme"].get(theme)
        if new is None:
            check.problems.append(f"theme {theme!r} is missing from the candidate")
        elif scores["f1"] - new["f1"] > max_theme_drop:
            check.problems.append(
                f"{theme} F1 drops from {scores['f1']:.3f} to {new['f1']:.3f} "
                f"(more than {max_theme_drop})"
            )
    return check


def read_history(models_dir: Path) -> list[dict[str, Any]]:
    path = models_dir / HISTORY_FILE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _record(models_dir: Path, event: dict[str, Any]) -> None:
    """Append one event and flush it to disk before the pointer moves."""
    with (models_dir / HISTORY_FILE).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(event, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _summary(report: Report | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "macro_f1": round(report["macro_f1"], 4),
        "micro_f1": round(report["micro_f1"], 4),
        "per_theme_f1": {t: round(s["f1"], 4) for t, s in report["per_theme"].items()},
        "n": report["n"],
    }


def promote(
    models_dir: Path,
    candidate: LoadedModel,
    check: PromotionCheck,
    *,
    heldout: Sequence[Path],
    force: bool = False,
    by: str | None = None,
) -> dict[str, Any]:
    """Make ``candidate`` the active version if the check passed (or ``force``), and record
    it. Raises ModelError, changing nothing, when the check failed without ``force``."""
    if not check.passed and not force:
        raise ModelError(
            f"not promoting {candidate.version}: "
            + "; ".join(check.problems)
            + " (use --force to promote anyway)"
        )
    event = {
        "action": "promote",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": by or getpass.getuser(),
        "version": candidate.version,
        "previous": read_active(models_dir),
        "forced": bool(force and not check.passed),
        "problems": check.problems,
        "heldout": [{"path": str(p), "sha256": file_sha256(p)} for p in heldout],
        "candidate": _summary(check.candidate),
        "active": _summary(check.active),
    }
    _record(models_dir, event)
    set_active(models_dir, candidate.version)
    return event


@dataclass(frozen=True)
class Promotion:
    """A promotion that went through: the check it passed (or was forced past), the
    history event recorded, and how many held-out notes it was judged on."""

    check: PromotionCheck
    event: dict[str, Any]
    notes: int


def check_and_promote(
    models_dir: Path,
    candidate: LoadedModel,
    *,
    heldout: Sequence[Path],
    tolerance: float = DEFAULT_TOLERANCE,
    max_theme_drop: float = DEFAULT_MAX_THEME_DROP,
    force: bool = False,
    by: str | None = None,
) -> Promotion:
    """Score ``candidate`` and the active version on the held-out notes, then promote the
    candidate as ``promote`` does. Raises TrainingError (ModelError when the check fails
    without ``force``), changing nothing."""
    current = read_active(models_dir)
    active = load_model(models_dir, current) if current else None
    notes = load_samples(heldout, label_set=set(candidate.labels))
    check = check_promotion(
        candidate, active, notes, tolerance=tolerance, max_theme_drop=max_theme_drop
    )
    event = promote(models_dir, candidate, check, heldout=heldout, force=force, by=by)
    return Promotion(check=check, event=event, notes=len(notes))


def rollback(models_dir: Path, *, by: str | None = None) -> dict[str, Any]:
    """Make the version that was active before the current one active again."""
    current = read_active(models_dir)
    previous = None
    for event in reversed(read_history(models_dir)):
        if event.get("action") == "promote" and event.get("version") == current:
            previous = event["previous"]
            break
    if not previous:
        raise ModelError(f"no earlier active version recorded before {current!r} to roll back to")
    event = {
        "action": "rollback",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": by or getpass.getuser(),
        "version": previous,
        "previous": current,
    }
    _record(models_dir, event)
    set_active(models_dir, previous)
    return event
