"""Hot reload: each worker watches ``models/active`` and, when it names another version,
loads and validates that version off the request path (checksum and library versions by
the registry, then a smoke prediction) and swaps it in. A version that fails validation
never replaces the working model; the failure is logged, counted in /metrics and shown by
/readyz, and not retried until the pointer changes again. The same goes for a registry
that has gone (no ``models/active``) and for the served version's file changing on disk:
the model in memory keeps serving, and the problem is reported once, until it is fixed."""

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from service.observability import metrics
from service.tagging.queue import TaggingQueue
from training.errors import TrainingError
from training.registry import (
    ACTIVE_FILE,
    MODEL_FILE,
    LoadedModel,
    file_sha256,
    load_model,
    read_active,
)

log = logging.getLogger("mentor_themes.reload")
SMOKE_TEXT = "She presented to the leadership team and felt confident afterwards."


@dataclass(frozen=True)
class ReloadFailure:
    """What /readyz shows: the version refused (None when no version could be read at all,
    or the served one when its file changed on disk) and why."""

    version: str | None
    error: str
    refused: bool = True

    def describe(self) -> str:
        if self.version is None:
            return self.error
        return f"version {self.version}{' refused' if self.refused else ''}: {self.error}"


def _file_state(path: Path) -> tuple[int, int] | None:
    """Size and modification time, to notice cheaply that a file changed (None: missing)."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


class ModelWatcher:
    def __init__(self, tagging: TaggingQueue, models_dir: Path, poll_seconds: float) -> None:
        self._tagging = tagging
        self._models_dir = models_dir
        self._poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.failure: ReloadFailure | None = None
        self._served_file = _file_state(tagging.model.path / MODEL_FILE)
        self._thread = threading.Thread(target=self._run, name="model-watcher", daemon=True)
        if poll_seconds > 0:
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def check_now(self) -> str:
        """Load the active version if it changed; returns the version now served."""
        with self._lock:
            current = self._tagging.model.version
            try:
                wanted = read_active(self._models_dir)
            except OSError as error:  # e.g. the folder is being replaced
                wanted, reason = None, f"{type(error).__name__}: {error}"
            else:
                reason = "no version named there (folder or file missing?)"
            if wanted is None:
                where = self._models_dir / ACTIVE_FILE
                self._report(ReloadFailure(None, f"cannot read {where}: {reason}"), current)
                return current
            if self.failure is not None and self.failure.version is None:
                log.info("%s names %s again", self._models_dir / ACTIVE_FILE, wanted)
                self.failure = None  # the registry is back
            if wanted == current:
                self._check_served_file(current)
                return current
            if self.failure is not None and wanted == self.failure.version:
                return current
            try:
                model = self._validated(wanted)
                self._tagging.swap(model)
            except Exception as error:  # noqa: BLE001 - any failure keeps the working model
                self._report(ReloadFailure(wanted, f"{type(error).__name__}: {error}"), current)
                return current
            self.failure = None
            self._served_file = _file_state(model.path / MODEL_FILE)
            metrics.set_active_model(model.version)
            log.info("now serving model %s (was %s)", model.version, current)
            return model.version

    def _report(self, failure: ReloadFailure, current: str) -> None:
        """Record, count and log a problem once (polls that find it again say nothing)."""
        if failure == self.failure:
            return
        self.failure = failure
        metrics.RELOAD_FAILURES.inc()
        log.error("model registry problem, still serving %s: %s", current, failure.describe())

    def _check_served_file(self, current: str) -> None:
        """Re-hash the served version's file when its size or time changed: the model in
        memory is unaffected, but a worker (re)started now would fail to load it."""
        model = self._tagging.model
        path = model.path / MODEL_FILE
        state = _file_state(path)
        if state == self._served_file:
            return
        self._served_file = state
        try:
            actual = file_sha256(path)
        except OSError:
            problem = f"{path} is missing or unreadable"
        else:
            if actual == model.card.get("sha256"):
                if self.failure is not None and self.failure.version == current:
                    self.failure = None  # restored
                return
            problem = f"{path} no longer matches its card's checksum"
        error = f"{problem}; the copy loaded before keeps serving, a restart would refuse it"
        self._report(ReloadFailure(current, error, refused=False), current)

    def _validated(self, version: str) -> LoadedModel:
        model = load_model(self._models_dir, version)
        labels = model.labels
        results = model.tagger.tag([SMOKE_TEXT])
        if len(results) != 1 or any(m.theme not in labels for m in results[0]):
            raise TrainingError(f"model {version} failed its smoke prediction")
        return model

    def _run(self) -> None:
        while not self._stop.wait(self._poll_seconds):
            try:
                self.check_now()
            except Exception:  # noqa: BLE001 - the watcher must outlive a bad read
                log.exception("model watcher failed; retrying")
