"""Tagging off the event loop, with concurrent requests merged into one model call.

A single worker thread owns the model. Requests queue their texts with a future; the
thread takes whatever has queued up (up to ``max_batch`` texts), tags it in one vectorised
call and hands each request its share. At low load a request is tagged alone, at once; under
load, per-call overhead is shared by every request waiting, which is where throughput comes
from (one note costs about as much Python overhead as dozens)."""

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from service.tagging.batching import STOP, drain
from service.tagging.process import ProcessRunner
from training.registry import LoadedModel
from training.results import TaggedNote


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
