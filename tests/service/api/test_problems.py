"""Unexpected errors: a problem response, and a log line without the error's message."""

import logging

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from service.api.problems import SafeErrorLog, install
from service.auth.keys import Role
from tests.service.api.routes.test_notes import assert_problem
from tests.service.conftest import Api


async def failing(request: Request) -> Response:
    text = request.query_params["text"]  # in real life: note text inside a database error
    raise RuntimeError(f"database said: value {text!r} is too long")


def test_unexpected_error_is_logged_by_type_without_its_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Starlette(routes=[Route("/boom", failing)])
    install(app)
    caplog.set_level(logging.DEBUG)
    with TestClient(SafeErrorLog(app), raise_server_exceptions=False) as client:
        response = client.get("/boom", params={"text": "her private note"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "private note" not in response.text
    assert "RuntimeError" in caplog.text and "failing" in caplog.text
    assert "private note" not in caplog.text


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/v1/notes", "GET, POST"),  # two routes share the path
        ("PATCH", "/v1/notes/some-id", "DELETE, GET"),
        ("PUT", "/v1/notes/batch", "POST"),  # the path of its own route, not a note id
        ("POST", "/healthz", "GET"),
    ],
)
def test_405_allows_every_method_of_the_path(api: Api, method: str, path: str, allow: str) -> None:
    response = api.client.request(method, path)
    assert_problem(response, 405)
    assert response.headers["allow"] == allow


def test_a_body_that_is_not_utf8_returns_422_naming_the_body(api: Api) -> None:
    headers = api.headers(api.key(api.tenant(), Role.INGEST)) | {"Content-Type": "application/json"}
    for body in [b'{"texts": ["caf\xe9"]}', b"\xc3\x28"]:
        response = api.client.post("/v1/tag", content=body, headers=headers)
        assert assert_problem(response, 422, "body")["detail"] == (
            "body: is not valid JSON (not UTF-8 text)"
        )
