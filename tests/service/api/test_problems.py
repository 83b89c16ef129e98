"""Unexpected errors: a problem response, and a log line without the error's message."""

import logging

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from service.api.problems import SafeErrorLog, install


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
