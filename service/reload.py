"""Hot reload: each worker watches ``models/active`` and, when it names another version,
loads and validates that version off the request path (checksum and library versions by
the registry, then a smoke prediction) and swaps it in. A version that fails validation
never replaces the working model; the failure is logged, counted in /metrics and shown by
/readyz, and not retried until the pointer changes again."""

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from service import metrics
from service.tagging import TaggingQueue
from training.errors import TrainingError
from training.registry import LoadedModel, load_model, read_active

log = logging.getLogger("mentor_themes.reload")
SMOKE_TEXT = "She presented to the leadership team and felt confident afterwards."


@dataclass(frozen=True)
class ReloadFailure:
    version: str
    error: str


class ModelWatcher:
    def __init__(self, tagging: TaggingQueue, models_dir: Path, poll_seconds: float) -> None:
        self._tagging = tagging
        self._models_dir = models_dir
        self._poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.failure: ReloadFailure | None = None
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
            wanted = read_active(self._models_dir)
            current = self._tagging.model.version
            failed = self.failure.version if self.failure else None
            if wanted is None or wanted == current or wanted == failed:
                return current
            try:
                model = self._validated(wanted)
                self._tagging.swap(model)
            except Exception as error:  # noqa: BLE001 - any failure keeps the working model
                self.failure = ReloadFailure(wanted, f"{type(error).__name__}: {error}")
                metrics.RELOAD_FAILURES.inc()
                log.error("model %s refused, still serving %s: %s", wanted, current, error)
                return current
            self.failure = None
            metrics.set_active_model(model.version)
            log.info("now serving model %s (was %s)", model.version, current)
            return model.version

    def _validated(self, version: str) -> LoadedModel:
        model = load_model(self._models_dir, version)
        labels = {str(label) for label in model.tagger.classes_}
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
