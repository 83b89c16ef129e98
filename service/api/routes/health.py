"""Liveness, readiness and Prometheus metrics (no key needed; no note data in any of them)."""

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from service.api.deps import StateDep
from service.api.schemas import Health
from service.observability import metrics
from service.storage.db import unreachable_reason

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", responses={503: {"model": Health, "description": "Not ready."}})
async def readyz(state: StateDep) -> JSONResponse:
    """Ready when the database answers and the model is loaded and its process is up."""
    database_problem = await run_in_threadpool(unreachable_reason, state.engine)
    checks = {"database": database_problem is None, "model": state.tagging.healthy()}
    ready = all(checks.values())
    detail = {"model": state.tagging.model.version}
    if database_problem is not None:
        detail["database"] = database_problem
    failure = state.watcher.failure
    if failure is not None:
        detail["model_reload"] = failure.describe()
    body = Health(status="ok" if ready else "unavailable", checks=checks, detail=detail)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get("/metrics", response_class=Response)
async def prometheus_metrics(state: StateDep) -> Response:
    """Prometheus exposition: request counts and latency by route, tagging latency, model."""
    body = metrics.render(state.settings.prometheus_multiproc_dir)
    return Response(body, media_type=metrics.CONTENT_TYPE)
