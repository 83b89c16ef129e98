"""The model's child process: the same answers as the thread, and replaced when it dies."""

import os
import signal
from pathlib import Path

import pytest

from service.tagging.queue import TaggingQueue
from training.registry import load_model
from training.samples import Sample


def test_child_process_gives_the_same_results_as_the_thread(
    models_dir: Path, small_samples: list[Sample]
) -> None:
    model = load_model(models_dir)
    texts = [sample.text for sample in small_samples[:25]]
    tagging = TaggingQueue(model, in_process=True)
    try:
        tagged = tagging.submit(texts).result(timeout=120)
        with pytest.raises((TypeError, AttributeError, ValueError)):
            tagging.submit([None]).result(timeout=60)  # type: ignore[list-item]
    finally:
        tagging.close()
    assert tagged.results == model.tagger.tag_notes(texts)


def test_a_killed_model_process_is_replaced(models_dir: Path) -> None:
    tagging = TaggingQueue(load_model(models_dir), in_process=True)
    try:
        runner = tagging._process
        assert runner is not None and tagging.healthy()
        os.kill(runner._child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        runner._child.join(timeout=10)
        assert not tagging.healthy()
        assert tagging.submit(["Tagged by the new process."]).result(timeout=120).results
        assert tagging.healthy()
    finally:
        tagging.close()
