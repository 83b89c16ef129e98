"""Every error leaves as an RFC 9457 ``application/problem+json`` body that names the field
and the problem. Request values are never echoed back or logged: they may be note text."""

import logging
import traceback
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy import exc as sa
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.schemas import Problem, ProblemField
from service.errors import FieldProblem, InvalidInput, ServiceError, Unauthorized, Unavailable

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("mentor_themes.errors")
# What a 503 tells clients to wait: about how long an outage takes to notice the database is
# back (the pool pings each connection it hands out, so the first request after recovery works).
RETRY_AFTER_SECONDS = 5
# The database could not be reached, dropped the connection, timed out a statement
# (PostgreSQL's statement_timeout, SQLite's busy timeout) or the pool had no connection free
# within pool_timeout: the request may succeed later, so 503 rather than 500.
DATABASE_UNAVAILABLE = (sa.OperationalError, sa.InterfaceError, sa.TimeoutError)


def problem(error: ServiceError) -> Problem:
    fields = None
    if isinstance(error, InvalidInput):
        fields = [ProblemField(field=p.field, problem=p.problem) for p in error.problems]
    elif error.status == 413:
        fields = [ProblemField(field="body", problem=error.detail)]
    return Problem(title=error.title, status=error.status, detail=error.detail, errors=fields)


def problem_response(error: ServiceError) -> JSONResponse:
    headers = dict(error.headers)
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if error.status == 413:
        headers["Connection"] = "close"
    return JSONResponse(
        problem(error).model_dump(exclude_none=True),
        status_code=error.status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def field_path(location: Sequence[Any]) -> str:
    return ".".join(str(part) for part in location)


def describe_validation(errors: Sequence[Any]) -> list[FieldProblem]:
    """Pydantic's errors as (field, problem) pairs, without the offending values."""
    problems = []
    for error in errors:
        message = str(error.get("msg", "is invalid"))
        location = error.get("loc", ())
        if error.get("type") == "json_invalid":
            # Its location is a character position, not a field.
            position = location[1] if len(location) > 1 else "?"
            problems.append(FieldProblem("body", f"is not valid JSON (at character {position})"))
            continue
        if error.get("type") == "extra_forbidden":
            message = "unknown field"
        elif error.get("type") == "missing":
            message = "is required"
        problems.append(FieldProblem(field_path(error.get("loc", ())), message))
    return problems


async def _service_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ServiceError)
    return problem_response(error)


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return problem_response(InvalidInput(describe_validation(error.errors())))


_HTTP_TITLES = {404: "Not found", 405: "Method not allowed", 413: "Payload too large"}
# FastAPI's answer to a body it cannot decode (not UTF-8, UTF-16 or UTF-32).
_UNDECODABLE_BODY = "There was an error parsing the body"


def _allowed_methods(request: Request) -> set[str]:
    """The methods of the path the request matched first, as the schema lists them: every
    route of that path template. Starlette's own ``Allow`` names only one route's methods,
    but ``GET /v1/notes`` and ``POST /v1/notes`` are two routes."""
    routes = list(iter_route_contexts(request.app.routes))
    path = next((r.path_format for r in routes if r.matches(request.scope)[0] != Match.NONE), None)
    return {method for r in routes if r.path_format == path for method in r.methods or ()}


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    if error.status_code == 400 and error.detail == _UNDECODABLE_BODY:
        # As malformed as a JSON syntax error, so the same answer: 422 naming the body.
        return problem_response(
            InvalidInput([FieldProblem("body", "is not valid JSON (not UTF-8 text)")])
        )
    failure = ServiceError(str(error.detail))
    failure.status = error.status_code
    failure.title = _HTTP_TITLES.get(error.status_code, "HTTP error")
    response = problem_response(failure)
    if error.headers:
        response.headers.update(error.headers)
    if error.status_code == 405 and (methods := _allowed_methods(request)):
        response.headers["Allow"] = ", ".join(sorted(methods))
    return response


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    cause = getattr(error, "orig", None) or error
    # By type only: a driver's message may quote the statement.
    log.warning("database unavailable (%s) on %s", type(cause).__name__, request.url.path)
    return problem_response(
        Unavailable(
            "the database is unavailable; the request was not acknowledged, "
            f"retry in {RETRY_AFTER_SECONDS} s",
            retry_after=RETRY_AFTER_SECONDS,
        )
    )


async def _unexpected(_request: Request, _error: Exception) -> JSONResponse:
    # Logged by ``SafeErrorLog`` once Starlette re-raises it.
    return problem_response(ServiceError("the server failed to handle this request"))


class SafeErrorLog:
    """Outermost layer: logs an unhandled error by type and stack frames only (its message
    may quote note text, e.g. a database error with its parameters) and keeps it from
    reaching the server's own logger, which would print the message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as error:  # noqa: BLE001 - the response has been sent already
            frames = "".join(traceback.format_tb(error.__traceback__))
            log.error("unhandled %s on %s\n%s", type(error).__name__, scope.get("path"), frames)


def install(app: Starlette) -> None:
    """Route every error type through the problem renderer."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for database_error in DATABASE_UNAVAILABLE:
        app.add_exception_handler(database_error, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
