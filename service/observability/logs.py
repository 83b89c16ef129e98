"""Logs as JSON lines, each with the id of the request it was written for.

One object per line (time, level, logger, message, request_id and any ``extra`` fields) is
what log collectors parse without rules. Request values never go into a message: they may
be note text."""

import logging
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
FIELDS = "{asctime}{levelname}{name}{message}"


class RequestIdFilter(logging.Filter):
    """Stamps every record with the current request's id (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def json_handler() -> logging.Handler:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter(
            FIELDS,
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(RequestIdFilter())
    return handler


def configure(level: str) -> None:
    """Send every logger (uvicorn's included) through one JSON handler on stderr. uvicorn's
    access log is silenced: it prints paths, which hold mentee and note ids, and
    ``service.api.middleware`` writes one line per request by route template instead."""
    root = logging.getLogger()
    root.handlers[:] = [json_handler()]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
