"""Hot reload: a new active version is validated off the request path and swapped in; a
corrupted one is refused and the working model keeps serving."""

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.auth.keys import Role, create_key
from service.main import build_app
from service.observability import metrics
from service.settings import Settings
from service.storage.db import make_engine, make_sessions
from service.storage.migrate import upgrade
from service.tagging.queue import TaggingQueue
from service.tagging.reload import ModelWatcher
from tests.service.servers import free_port, request, start_server
from training.registry import load_model, set_active

# Poll interval plus loading and checking the model and starting its process, while four
# streams keep both cores busy (measured about 13 s here).
SWITCH_WITHIN = 30.0


@pytest.mark.parametrize("in_process", [False, True])
def test_watcher_swaps_in_a_new_active_version(registry: Path, in_process: bool) -> None:
    tagging = TaggingQueue(load_model(registry), in_process=in_process)
    watcher = ModelWatcher(tagging, registry, poll_seconds=0)
    try:
        before = tagging.submit(["She felt confident."]).result(timeout=60)
        set_active(registry, "20260202-000000-next")
        assert watcher.check_now() == "20260202-000000-next"
        after = tagging.submit(["She felt confident."]).result(timeout=60)
        assert before.model_version == "20260101-000000-test"
        assert after.model_version == "20260202-000000-next"
        assert after.results == before.results and watcher.failure is None
    finally:
        watcher.close()
        tagging.close()


def test_a_corrupted_version_is_refused_and_the_old_one_keeps_serving(registry: Path) -> None:
    tagging = TaggingQueue(load_model(registry))
    watcher = ModelWatcher(tagging, registry, poll_seconds=0)
    failures = metrics.RELOAD_FAILURES._value.get()
    try:
        model_file = registry / "20260202-000000-next" / "model.joblib"
        model_file.write_bytes(model_file.read_bytes()[:-10] + b"corrupted!")
        set_active(registry, "20260202-000000-next")
        assert watcher.check_now() == "20260101-000000-test"
        assert watcher.failure is not None and "checksum" in watcher.failure.error
        assert metrics.RELOAD_FAILURES._value.get() == failures + 1
        assert tagging.submit(["Still tagging."]).result(timeout=60).model_version == (
            "20260101-000000-test"
        )
        watcher.check_now()  # the same bad version is not retried
        assert metrics.RELOAD_FAILURES._value.get() == failures + 1
    finally:
        watcher.close()
        tagging.close()


def test_a_model_made_with_other_library_versions_is_refused(registry: Path) -> None:
    card_path = registry / "20260202-000000-next" / "card.json"
    card = json.loads(card_path.read_text())
    card["libraries"]["scikit-learn"] = "0.24.2"
    card_path.write_text(json.dumps(card))
    tagging = TaggingQueue(load_model(registry))
    watcher = ModelWatcher(tagging, registry, poll_seconds=0)
    try:
        set_active(registry, "20260202-000000-next")
        assert watcher.check_now() == "20260101-000000-test"
        assert watcher.failure is not None and "scikit-learn" in watcher.failure.error
    finally:
        watcher.close()
        tagging.close()


def test_activate_over_http_promotes_checks_and_reports(
    registry: Path, tmp_path: Path, heldout: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'activate.db'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_sessions(engine)
    admin = create_key(sessions, tenant_id="ops", role=Role.ADMIN).key
    reader = create_key(sessions, tenant_id="ops", role=Role.READ).key
    engine.dispose()
    settings = Settings(
        database_url=url, models_dir=registry, heldout_paths=[heldout], tag_in_process=False,
        model_poll_seconds=0,
    )  # fmt: skip
    with TestClient(build_app(settings)) as client:
        auth = {"Authorization": f"Bearer {admin}"}
        path = "/v1/models/20260202-000000-next/activate"
        forbidden = client.post(path, json={}, headers={"Authorization": f"Bearer {reader}"})
        assert forbidden.status_code == 403
        missing = client.post("/v1/models/nope/activate", json={}, headers=auth)
        assert missing.status_code == 404
        response = client.post(path, json={}, headers=auth)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["active"] == body["serving"] == "20260202-000000-next"
        assert body["previous"] == "20260101-000000-test" and not body["forced"]
        tagged = client.post("/v1/tag", json={"texts": ["Hello."]}, headers=auth).json()
        assert tagged["model_version"] == "20260202-000000-next"
        history = (registry / "history.jsonl").read_text().splitlines()
        assert json.loads(history[-1])["by"].startswith("api:ops/")
        assert client.get("/readyz").json()["detail"]["model"] == "20260202-000000-next"


def test_two_workers_switch_models_under_load_without_a_failed_request(
    registry: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'load.db'}"
    engine = make_engine(url)
    upgrade(engine)
    key = create_key(make_sessions(engine), tenant_id="load", role=Role.INGEST).key
    engine.dispose()
    port = free_port()
    server = start_server(
        url, registry, port, tmp_path / "server.log", workers=2,
        settings={"MENTOR_THEMES_MODEL_POLL_SECONDS": "0.5", "MENTOR_THEMES_LOG_LEVEL": "info"},
    )  # fmt: skip
    time.sleep(3)  # both workers up
    responses: list[tuple[float, int, str]] = []
    stop = threading.Event()

    def stream() -> None:
        while not stop.is_set():
            status, body = request(port, "POST", "/v1/tag", key, {"texts": ["She spoke up."]})
            responses.append((time.monotonic(), status, body.get("model_version", "")))

    threads = [threading.Thread(target=stream) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(2)
        switched_at = time.monotonic()
        set_active(registry, "20260202-000000-next")
        while time.monotonic() - switched_at < SWITCH_WITHIN + 3:
            recent = [version for t, _, version in responses if t > time.monotonic() - 3]
            if len(recent) > 20 and all(v == "20260202-000000-next" for v in recent):
                break  # three seconds of new answers only: both workers have switched
            time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    assert [r for r in responses if r[1] != 200] == [], "a request failed during the switch"
    old = [t for t, _, version in responses if version == "20260101-000000-test"]
    new = [t for t, _, version in responses if version == "20260202-000000-next"]
    assert new, "no response came from the new model"
    last_old = max(old) - switched_at
    print(f"first new response {min(new) - switched_at:.1f} s, last old {last_old:.1f} s "
          "after the pointer moved")  # fmt: skip
    log = (tmp_path / "server.log").read_text()
    assert last_old < SWITCH_WITHIN, log[-3000:]
    assert all(t > max(old) for t in new[-10:]), "old responses after the switch"
