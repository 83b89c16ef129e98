"""The model in a child process, off the server's interpreter lock: the child's serving loop
and the runner the tagging thread talks to it through."""

import gc
import logging
import multiprocessing
from multiprocessing.connection import Connection
from pathlib import Path

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
