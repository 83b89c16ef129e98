"""The FastAPI app: routes, error handling, limits, metrics, and a lifespan that opens the
database and loads the active model once."""

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from service.api import problems
from service.api.middleware import HEADER, BodySizeLimit, RequestRecorder
from service.api.router import api_router
from service.api.routes import dashboard, health
from service.auth.keys import KeyChecker
from service.auth.ratelimit import RateLimiter
from service.notes.writer import NoteWriter
from service.observability import logs, metrics
from service.settings import Settings, get_settings
from service.state import AppState
from service.storage.db import make_engine, make_sessions
from service.storage.migrate import SchemaOutOfDate, check_schema
from service.tagging.queue import TaggingQueue
from service.tagging.reload import ModelWatcher
from training.registry import load_model

log = logging.getLogger("mentor_themes")

DESCRIPTION = """Tags mentoring session notes with growth themes, each with a score and the
sentences behind it, and stores them per tenant.

Authenticate with `Authorization: Bearer <key>`; keys come from `mentor-themes keys create`.
Errors are `application/problem+json` (RFC 9457) and name the field at fault."""


def open_state(settings: Settings) -> AppState:
    """Connect to the database (which must be migrated) and load the active model."""
    engine = make_engine(settings.database_url)
    try:
        check_schema(engine)
    except SchemaOutOfDate:
        engine.dispose()
        raise
    model = load_model(settings.models_dir)
    sessions = make_sessions(engine)
    metrics.set_active_model(model.version)
    tagging = TaggingQueue(
        model,
        max_batch=settings.tag_batch_size,
        in_process=settings.tag_in_process,
        observe=metrics.observe_tagging,
    )
    return AppState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        keys=KeyChecker(sessions, settings.key_cache_seconds, settings.revocation_poll_seconds),
        tagging=tagging,
        writer=NoteWriter(sessions),
        watcher=ModelWatcher(tagging, settings.models_dir, settings.model_poll_seconds),
        limiter=RateLimiter(
            per_minute=settings.rate_limit_per_minute,
            burst=settings.rate_limit_burst,
            workers=settings.workers,
        ),
    )


def build_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI application; ``settings`` default to the environment's."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = open_state(settings)
        state.keys.watch_revocations()
        app.state.app_state = state
        # The model and libraries are long-lived: keep the collector from re-scanning them,
        # and collect less often (full collections showed up as 100 ms+ latency spikes).
        gc.freeze()
        gc.set_threshold(20_000, 20, 20)
        log.info("serving model %s", state.tagging.model.version)
        try:
            yield
        finally:
            state.watcher.close()
            state.keys.close()
            state.tagging.close()
            state.writer.close()
            state.engine.dispose()

    app = FastAPI(
        title="mentor-themes",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    problems.install(app)
    app.include_router(api_router)
    app.include_router(health.router)
    app.include_router(dashboard.router)
    app.mount("/static", dashboard.assets, name="static")
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", HEADER],
            expose_headers=[HEADER, "Retry-After"],
            max_age=600,
        )
    app.add_middleware(RequestRecorder)
    return app


def create_app() -> ASGIApp:
    """What ``serve`` runs (uvicorn ``--factory``): the app behind the safe error logger."""
    settings = get_settings()
    logs.configure(settings.log_level)
    return problems.SafeErrorLog(build_app(settings))
