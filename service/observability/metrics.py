"""Prometheus metrics: requests by route and status, their latency, tagging latency and
the active model. With several workers, ``serve`` points PROMETHEUS_MULTIPROC_DIR at a shared
folder and /metrics adds up every worker's figures."""

from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess

REQUESTS = Counter(
    "mentor_themes_http_requests_total",
    "HTTP requests by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "mentor_themes_http_request_duration_seconds",
    "HTTP request latency by method and route template.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TAGGING = Histogram(
    "mentor_themes_tagging_seconds",
    "Seconds per model call (one call tags a batch of texts).",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
TAGGED_TEXTS = Counter("mentor_themes_tagged_texts_total", "Texts tagged.")
RELOAD_FAILURES = Counter(
    "mentor_themes_model_reload_failures_total",
    "Active-model changes refused because the new version failed validation.",
)
ACTIVE_MODEL = Gauge(
    "mentor_themes_active_model_info",
    "1 for the model version this process serves.",
    ["version"],
    multiprocess_mode="liveall",
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


def observe_tagging(texts: int, seconds: float) -> None:
    TAGGING.observe(seconds)
    TAGGED_TEXTS.inc(texts)


_served: list[str] = []


def set_active_model(version: str) -> None:
    """Mark ``version`` as served (1) and any earlier one as no longer (0); clearing labels
    is not supported across worker processes."""
    for earlier in _served:
        ACTIVE_MODEL.labels(version=earlier).set(0)
    ACTIVE_MODEL.labels(version=version).set(1)
    _served[:] = [version]


def render(multiprocess_dir: Path | None) -> bytes:
    """The exposition text: this process's metrics, or every worker's when they share a
    multiprocess folder."""
    if multiprocess_dir is not None:
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(  # type: ignore[no-untyped-call]
            registry, path=str(multiprocess_dir)
        )
        return generate_latest(registry)
    return generate_latest()


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count and time a request under its route template (``/v1/notes/{note_id}``), so ids
    do not explode the label space; unmatched paths count as ``unmatched``."""
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)
