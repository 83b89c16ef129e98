"""/healthz, /readyz and /metrics."""

import os
import re
import signal

from sqlalchemy import create_engine

from service.auth.keys import Role
from tests.service.conftest import Api


def test_healthz_answers_without_a_key(api: Api) -> None:
    response = api.client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_readyz_checks_database_and_model(api: Api) -> None:
    response = api.client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["checks"] == {"database": True, "model": True}
    assert body["detail"] == {"model": "20260101-000000-test"}


def test_readyz_is_503_when_the_database_is_unreachable(api: Api) -> None:
    working = api.state.engine
    api.state.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
    try:
        response = api.client.get("/readyz")
    finally:
        api.state.engine.dispose()
        api.state.engine = working
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": False, "model": True}
    assert response.json()["detail"]["database"] == "unreachable (OperationalError)"


def sample(metrics: str, name: str, **labels: str) -> float:
    for line in metrics.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_route_template_and_status(api: Api) -> None:
    key = api.key(api.tenant(), Role.ADMIN)
    before = api.client.get("/metrics").text
    note = api.post_note(key).json()
    api.client.get(f"/v1/notes/{note['id']}", headers=api.headers(key))
    api.client.get("/v1/notes/does-not-exist", headers=api.headers(key))
    after = api.client.get("/metrics")
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text
    route = "/v1/notes/{note_id}"
    for status in ("200", "404"):
        labels = {"method": "GET", "route": route, "status": status}
        grown = sample(text, "mentor_themes_http_requests_total", **labels) - sample(
            before, "mentor_themes_http_requests_total", **labels
        )
        assert grown == 1
    assert note["id"] not in text, "ids must not become labels"
    assert sample(text, "mentor_themes_http_request_duration_seconds_count", route=route) >= 2
    assert sample(text, "mentor_themes_tagging_seconds_count") > sample(
        before, "mentor_themes_tagging_seconds_count"
    )
    version = api.state.tagging.model.version
    assert sample(text, "mentor_themes_active_model_info", version=version) == 1


def test_readyz_is_503_while_the_model_process_is_down_and_recovers(api: Api) -> None:
    runner = api.state.tagging._process
    assert runner is not None, "the test app runs the model in a child process"
    os.kill(runner._child.pid, signal.SIGKILL)  # type: ignore[arg-type]
    runner._child.join(timeout=10)
    response = api.client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["model"] is False
    key = api.key(api.tenant(), Role.INGEST)
    tagged = api.client.post("/v1/tag", json={"texts": ["Still here."]}, headers=api.headers(key))
    assert tagged.status_code == 200
    assert api.client.get("/readyz").status_code == 200
