"""The tagging queue: batching of concurrent requests, same answers as the model, errors."""

from pathlib import Path

import pytest

from service.tagging.queue import TaggingQueue
from training.registry import load_model
from training.samples import Sample

SLOW_TEXT = "She practised the talk again. " * 400


def test_concurrent_requests_share_model_calls_and_get_their_own_results(
    models_dir: Path, small_samples: list[Sample]
) -> None:
    model = load_model(models_dir)
    calls: list[int] = []
    tagging = TaggingQueue(model, observe=lambda texts, _seconds: calls.append(texts))
    try:
        blocker = tagging.submit([SLOW_TEXT] * 50)  # keeps the thread busy while we queue
        texts = [sample.text for sample in small_samples[:40]]
        futures = [tagging.submit([text]) for text in texts]
        blocker.result(timeout=60)
        results = [future.result(timeout=60) for future in futures]
    finally:
        tagging.close()
    expected = model.tagger.tag_notes(texts)
    assert [result.results[0] for result in results] == expected
    assert all(result.model_version == model.version for result in results)
    assert sum(calls) == 90 and len(calls) < 41, f"41 requests took {len(calls)} model calls"


def test_batches_are_capped_at_max_batch(models_dir: Path) -> None:
    calls: list[int] = []
    model = load_model(models_dir)
    tagging = TaggingQueue(model, max_batch=8, observe=lambda texts, _s: calls.append(texts))
    try:
        blocker = tagging.submit([SLOW_TEXT] * 50)
        futures = [tagging.submit(["A short note."]) for _ in range(30)]
        blocker.result(timeout=60)
        for future in futures:
            future.result(timeout=60)
    finally:
        tagging.close()
    assert max(calls[1:]) <= 8


def test_a_model_error_reaches_every_waiting_request(models_dir: Path) -> None:
    tagging = TaggingQueue(load_model(models_dir))
    try:
        future = tagging.submit([None])  # type: ignore[list-item]
        with pytest.raises((TypeError, AttributeError, ValueError)):
            future.result(timeout=60)
        assert tagging.submit(["Still works after an error."]).result(timeout=60).results
    finally:
        tagging.close()


def test_empty_submission_resolves_at_once(models_dir: Path) -> None:
    tagging = TaggingQueue(load_model(models_dir))
    try:
        assert tagging.submit([]).result(timeout=1).results == []
    finally:
        tagging.close()


def test_a_cancelled_request_is_skipped_and_the_thread_carries_on(models_dir: Path) -> None:
    tagging = TaggingQueue(load_model(models_dir))
    try:
        blocker = tagging.submit([SLOW_TEXT] * 50)
        gone = tagging.submit(["The client hung up."])
        assert gone.cancel()
        after = tagging.submit(["She asked for the stretch project."])
        blocker.result(timeout=60)
        assert after.result(timeout=60).results
        assert gone.cancelled() and tagging.healthy()
    finally:
        tagging.close()
