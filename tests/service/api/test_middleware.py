"""Request ids on every response and log line, an access line per request, CORS, and the
body size limit."""

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.auth.keys import Role
from service.main import build_app
from service.observability.logs import json_handler
from service.settings import Settings
from tests.service.api.routes.test_notes import assert_problem
from tests.service.conftest import Api


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the JSON handler writes while the test runs."""
    stream = io.StringIO()
    handler = json_handler()
    handler.setStream(stream)  # type: ignore[attr-defined]
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def test_every_response_carries_a_request_id_and_a_sane_one_is_kept(api: Api) -> None:
    made = api.client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
    kept = api.client.get("/healthz", headers={"X-Request-ID": "trace-42.a_b"})
    assert kept.headers["x-request-id"] == "trace-42.a_b"
    for unsafe in ("with space", "x" * 65, 'quote"d'):
        replaced = api.client.get("/healthz", headers={"X-Request-ID": unsafe})
        assert replaced.headers["x-request-id"] != unsafe


def test_access_line_is_json_with_the_route_template_and_request_id(
    api: Api, log_lines: io.StringIO
) -> None:
    key = api.key(api.tenant())
    response = api.client.get(
        "/v1/notes/00000000-0000-0000-0000-000000000000",
        headers={**api.headers(key), "X-Request-ID": "req-1"},
    )
    assert response.status_code == 404
    records = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    access = [r for r in records if r["logger"] == "mentor_themes.access"]
    assert access[-1] | {"time": None, "ms": None} == {
        "time": None,
        "level": "INFO",
        "logger": "mentor_themes.access",
        "message": "request",
        "request_id": "req-1",
        "method": "GET",
        "route": "/v1/notes/{note_id}",
        "status": 404,
        "ms": None,
    }
    served = [r for r in records if not r["logger"].startswith("httpx")]  # the test's client
    assert "00000000-0000" not in json.dumps(served)


def test_cors_is_closed_unless_origins_are_configured(api: Api, settings: Settings) -> None:
    preflight = {
        "Origin": "https://platform.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    closed = api.client.options("/v1/notes", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    opened = settings.model_copy(update={"cors_origins": ["https://platform.example"]})
    with TestClient(build_app(opened)) as client:
        allowed = client.options("/v1/notes", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == "https://platform.example"
        other = client.options("/v1/notes", headers=preflight | {"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize("path", ["/v1/notes", "/v1/notes/batch", "/v1/tag"])
def test_body_over_the_limit_returns_413_before_parsing(api: Api, path: str) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    huge = b'{"text": "' + b"x" * 300_000 + b'", "mentee_id": "m"}'
    headers = api.headers(key) | {"Content-Type": "application/json"}
    assert_problem(api.client.post(path, content=huge, headers=headers), 413, "body")
    assert api.client.get("/v1/notes", headers=api.headers(key)).json()["notes"] == []


def test_streamed_body_over_the_limit_returns_413(api: Api) -> None:
    key = api.key(api.tenant(), Role.INGEST)

    def chunks() -> Any:
        yield b'{"text": "'
        for _ in range(40):
            yield b"x" * 10_000
        yield b'", "mentee_id": "m"}'

    response = api.client.post(
        "/v1/notes",
        content=chunks(),
        headers=api.headers(key) | {"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "body")
