"""Tagging off the event loop, with concurrent requests merged into one model call.

A single worker thread owns the model. Requests queue their texts with a future; the
thread takes whatever has queued up (up to ``max_batch`` texts), tags it in one vectorised
call and hands each request its share. At low load a request is tagged alone, at once; under
load, per-call overhead is shared by every request waiting, which is where throughput comes
from (one note costs about as much Python overhead as dozens)."""

import gc
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from training.registry import LoadedModel, load_model
from training.results import ThemeMatch

# The model a tagging process has loaded, by folder. One per process: the parent sends paths,
# never the model itself.
_process_models: dict[Path, LoadedModel] = {}
WARM_UP_TEXT = "We rescheduled to Tuesday. She said the talk went well and she felt more confident."


def _load_in_process(folder: Path) -> LoadedModel:
    model = _process_models.get(folder)
    if model is None:
        _process_models.clear()
        model = _process_models[folder] = load_model(folder.parent, str(folder))
    return model


def _serve_in_process(connection: Connection, folder: Path) -> None:
    """The child's loop: receive (model folder, texts), send back results or the error."""
    tagger = _load_in_process(folder).tagger
    # Both the small-batch and the sparse path, so the first requests do not pay for
    # first-call set-up (imports, allocations).
    for size in (1, 64):
        tagger.tag([WARM_UP_TEXT] * size)
    gc.freeze()  # the model lives as long as the process; spare the collector from it
    connection.send(("ready", None))
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        if request is None:
            return
        folder, texts = request
        try:
            connection.send(("ok", _load_in_process(folder).tagger.tag(texts)))
        except Exception as error:  # noqa: BLE001 - re-raised in the parent
            connection.send(("error", error))


class ProcessRunner:
    """Runs the model in a child process. Python threads share one interpreter lock, so a
    model running in a thread slows the event loop and is slowed by it (each lock hand-back
    waits for a switch interval); a process has its own, and costs one pickle each way per
    batch. A pipe rather than a process pool: no feeder and result threads to hand off through.
    Only the tagging thread talks to the child, so the pipe needs no lock."""

    def __init__(self, model: LoadedModel) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child_end = context.Pipe()
        self._child = context.Process(
            target=_serve_in_process, args=(child_end, model.path), name="tagging", daemon=True
        )
        self._child.start()
        child_end.close()
        status, _ = self._connection.recv()
        assert status == "ready"

    def __call__(self, model: LoadedModel, texts: list[str]) -> list[list[ThemeMatch]]:
        self._connection.send((model.path, texts))
        status, payload = self._connection.recv()
        if status == "error":
            raise payload
        return payload  # type: ignore[no-any-return]

    def close(self) -> None:
        try:
            self._connection.send(None)
        except (BrokenPipeError, OSError):
            pass
        self._child.join(timeout=10)
        if self._child.is_alive():
            self._child.kill()


def run_in_thread(model: LoadedModel, texts: list[str]) -> list[list[ThemeMatch]]:
    return model.tagger.tag(texts)


@dataclass(frozen=True)
class Tagged:
    """Themes for each text, in order, and the model version that produced them."""

    model_version: str
    results: list[list[ThemeMatch]]


@dataclass
class _Job:
    texts: Sequence[str]
    future: "Future[Tagged]"


_STOP = object()

Observer = Callable[[int, float], None]
"""Called after each model call with the number of texts and the seconds it took."""


class TaggingQueue:
    """Serialises model calls on one thread and batches whatever arrives meanwhile."""

    def __init__(
        self,
        model: LoadedModel,
        *,
        max_batch: int = 256,
        max_wait: float = 0.0,
        in_process: bool = False,
        observe: Observer | None = None,
    ) -> None:
        self._model = model
        self._process = ProcessRunner(model) if in_process else None
        self._max_batch = max_batch
        self._max_wait = max_wait
        self._observe = observe
        self._jobs: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="tagging", daemon=True)
        self._thread.start()

    @property
    def model(self) -> LoadedModel:
        return self._model

    def submit(self, texts: Sequence[str]) -> "Future[Tagged]":
        """Queue texts for tagging; the future resolves once they are tagged."""
        future: Future[Tagged] = Future()
        if not texts:
            future.set_result(Tagged(self._model.version, []))
        else:
            self._jobs.put(_Job(texts, future))
        return future

    def close(self) -> None:
        self._jobs.put(_STOP)
        self._thread.join(timeout=30)
        if self._process is not None:
            self._process.close()

    def _take_batch(self) -> tuple[list[_Job], bool]:
        first = self._jobs.get()
        if first is _STOP:
            return [], True
        assert isinstance(first, _Job)
        batch, size = [first], len(first.texts)
        deadline = time.monotonic() + self._max_wait
        while size < self._max_batch:
            try:
                job = self._jobs.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if job is _STOP:
                self._jobs.put(_STOP)
                break
            assert isinstance(job, _Job)
            batch.append(job)
            size += len(job.texts)
        return batch, False

    def _run(self) -> None:
        while True:
            batch, stop = self._take_batch()
            if stop:
                return
            model = self._model
            texts = [text for job in batch for text in job.texts]
            started = time.perf_counter()
            try:
                if self._process is not None:
                    results = self._process(model, texts)
                else:
                    results = model.tagger.tag(texts)
            except Exception as error:  # noqa: BLE001 - handed to every waiting request
                for job in batch:
                    job.future.set_exception(error)
                continue
            if self._observe is not None:
                self._observe(len(texts), time.perf_counter() - started)
            offset = 0
            for job in batch:
                share = results[offset : offset + len(job.texts)]
                offset += len(job.texts)
                job.future.set_result(Tagged(model.version, share))
