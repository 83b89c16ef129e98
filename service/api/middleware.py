"""The ASGI middleware every request passes through.

``RequestRecorder``: what is recorded of every request: an id (the caller's ``X-Request-ID``
when it is a plain token, else a new one), sent back in ``X-Request-ID`` and carried by every
log line written while the request is served; one access line naming the route template,
never the path (paths hold mentee and note ids); and its count and time in the metrics.

``BodySizeLimit``: the request body size limit, enforced before parsing: a declared
Content-Length over the limit is refused at once; a body sent without one is counted as it
streams in and refused as soon as it passes the limit."""

import logging
import re
import time
import uuid

from fastapi.routing import iter_route_contexts
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.problems import problem_response
from service.errors import PayloadTooLarge
from service.observability.logs import request_id
from service.observability.metrics import observe_request

HEADER = "X-Request-ID"
ACCEPTED_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
log = logging.getLogger("mentor_themes.access")


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if ACCEPTED_ID.fullmatch(candidate) else None
    return None


class RequestRecorder:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._templates: dict[int, str] | None = None

    def _route_template(self, scope: Scope) -> str:
        """The matched route's path template as served (``/v1/notes/{note_id}``), else
        ``unmatched``. A route of an included router keeps the path it was declared with
        (``/notes/{note_id}``, without api_router's ``/v1``), so the served one is read
        from the app's route table, once."""
        route = scope.get("route")
        if route is None:
            return "unmatched"
        if self._templates is None:
            self._templates = {
                id(context.original_route): context.path
                for context in iter_route_contexts(scope["app"].routes)
                if context.path is not None
            }
        served = self._templates.get(id(route))
        return served if served is not None else str(getattr(route, "path", "unmatched"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = _incoming_id(scope) or uuid.uuid4().hex
        token = request_id.set(current)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(HEADER, current)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = self._route_template(scope)
            observe_request(scope["method"], route, status, seconds)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "ms": round(seconds * 1000, 1),
                },
            )
            request_id.reset(token)


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.detail = f"the request body is larger than the {max_bytes}-byte limit"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                response = problem_response(PayloadTooLarge(self.detail))
                await response(scope, receive, send)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # An HTTPException is what FastAPI lets through from body reading.
                    raise HTTPException(413, self.detail)
            return message

        await self.app(scope, counting_receive, send)
