"""Tagging off the event loop, with concurrent requests merged into one model call.

A single worker thread owns the model. Requests queue their texts with a future; the
thread takes whatever has queued up (up to ``max_batch`` texts), tags it in one vectorised
call and hands each request its share. At low load a request is tagged alone, at once; under
load, per-call overhead is shared by every request waiting, which is where throughput comes
from (one note costs about as much Python overhead as dozens)."""

import gc
import logging
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from service.tagging.batching import STOP, drain
from training.registry import LoadedModel, load_model
from training.results import TaggedNote

log = logging.getLogger("mentor_themes.tagging")

# The model a tagging process serves, by folder. One per process: the parent hands over the
# model it has loaded once, when it starts the process (so a process started again after the
# folder was removed or its file corrupted serves the same model), then sends only the folder.
_process_models: dict[Path, LoadedModel] = {}
WARM_UP_TEXT = "We rescheduled to Tuesday. She said the talk went well and she felt more confident."


def _load_in_process(folder: Path) -> LoadedModel:
    model = _process_models.get(folder)
    if model is None:
        _process_models.clear()
        model = _process_models[folder] = load_model(folder.parent, str(folder))
    return model


def _serve_in_process(connection: Connection) -> None:
    """The child's loop: receive the model, then (model folder, texts) and send back results
    or the error."""
    model: LoadedModel = connection.recv()
    _process_models.clear()
    _process_models[model.path] = model
    tagger = model.tagger
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
            connection.send(("ok", _load_in_process(folder).tagger.tag_notes(texts)))
        except Exception as error:  # noqa: BLE001 - re-raised in the parent
            connection.send(("error", error))


class ProcessRunner:
    """Runs the model in a child process. Python threads share one interpreter lock, so a
    model running in a thread slows the event loop and is slowed by it (each lock hand-back
    waits for a switch interval); a process has its own, and costs one pickle each way per
    batch. A pipe rather than a process pool: no feeder and result threads to hand off through.
    Only the tagging thread talks to the child, so the pipe needs no lock. A child that dies
    (killed, out of memory) is replaced on the next call."""

    def __init__(self, model: LoadedModel) -> None:
        self._model = model  # pickled to each child it starts (6 MB, ~10 ms)
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child_end = context.Pipe()
        self._child = context.Process(
            target=_serve_in_process, args=(child_end,), name="tagging", daemon=True
        )
        self._child.start()
        child_end.close()
        # Over our own pipe, not as a spawn argument: spawn writes its arguments while the
        # parent still holds the pipe's other end, so a child that dies early (a signal at
        # start-up, out of memory) left that write, and the server, blocked for good. Here
        # the child's end is closed, so its death fails the send.
        self._connection.send(self._model)
        status, _ = self._connection.recv()
        assert status == "ready"

    def alive(self) -> bool:
        return self._child.is_alive()

    def __call__(self, model: LoadedModel, texts: list[str]) -> list[TaggedNote]:
        try:
            return self._ask(model, texts)
        except (EOFError, OSError):
            log.error(
                "the tagging process died (exit code %s); starting a new one", self._child.exitcode
            )
            self._child.kill()
            self._child.join(timeout=10)
            self._start()
            return self._ask(model, texts)

    def _ask(self, model: LoadedModel, texts: list[str]) -> list[TaggedNote]:
        self._connection.send((model.path, texts))
        status, payload = self._connection.recv()
        if status == "error":
            raise payload
        return payload  # type: ignore[no-any-return]

    def close(self) -> None:
        try:
            self._connection.send(None)
        except OSError:
            pass
        self._child.join(timeout=10)
        if self._child.is_alive():
            self._child.kill()


@dataclass(frozen=True)
class Tagged:
    """Themes (and margin) for each text, in order, and the model version that produced
    them."""

    model_version: str
    results: list[TaggedNote]


@dataclass
class _Job:
    texts: Sequence[str]
    future: "Future[Tagged]"


def _job_size(job: _Job) -> int:
    return len(job.texts)


Observer = Callable[[int, float], None]
"""Called after each model call with the number of texts and the seconds it took."""


class TaggingQueue:
    """Serialises model calls on one thread and batches whatever arrives meanwhile."""

    def __init__(
        self,
        model: LoadedModel,
        *,
        max_batch: int = 256,
        in_process: bool = False,
        observe: Observer | None = None,
    ) -> None:
        self._model = model
        self._max_batch = max_batch
        self._observe = observe
        self._process = ProcessRunner(model) if in_process else None
        self._swap_lock = threading.Lock()
        self._retired: list[ProcessRunner] = []
        self._jobs: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="tagging", daemon=True)
        self._thread.start()

    @property
    def model(self) -> LoadedModel:
        return self._model

    def swap(self, model: LoadedModel) -> None:
        """Serve ``model`` from the next batch on. In process mode a new child process
        loads it first (seconds, on the caller's thread, not the request path); the old
        child finishes the batch it is on and is then closed by the tagging thread."""
        runner = ProcessRunner(model) if self._process is not None else None
        with self._swap_lock:
            if runner is not None:
                if self._process is not None:
                    self._retired.append(self._process)
                self._process = runner
            self._model = model

    def healthy(self) -> bool:
        """The tagging thread runs and, in process mode, its model process is up."""
        process_up = self._process is None or self._process.alive()
        return self._thread.is_alive() and process_up

    def submit(self, texts: Sequence[str]) -> "Future[Tagged]":
        """Queue texts for tagging; the future resolves once they are tagged. Cancelling it
        before the thread takes it (a client gone) skips the work."""
        future: Future[Tagged] = Future()
        if not texts:
            future.set_result(Tagged(self._model.version, []))
        else:
            self._jobs.put(_Job(texts, future))
        return future

    def close(self) -> None:
        self._jobs.put(STOP)
        self._thread.join(timeout=30)
        with self._swap_lock:
            runners = [*self._retired, *([self._process] if self._process else [])]
        for runner in runners:
            runner.close()

    def _run(self) -> None:
        while True:
            batch, stop = drain(self._jobs, self._max_batch, _job_size)
            if stop:
                return
            try:
                self._tag(batch)
            except Exception as error:  # noqa: BLE001 - the thread must outlive any one batch
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(error)

    def _tag(self, batch: list[_Job]) -> None:
        with self._swap_lock:
            model, process, retired = self._model, self._process, self._retired
            self._retired = []
        for runner in retired:
            runner.close()
        texts = [text for job in batch for text in job.texts]
        started = time.perf_counter()
        if process is not None:
            results = process(model, texts)
        else:
            results = model.tagger.tag_notes(texts)
        if self._observe is not None:
            self._observe(len(texts), time.perf_counter() - started)
        offset = 0
        for job in batch:
            share = results[offset : offset + len(job.texts)]
            offset += len(job.texts)
            job.future.set_result(Tagged(model.version, share))
