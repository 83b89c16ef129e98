"""Faults in the model registry while the service runs: the models folder renamed away, a
corrupted new version made active, the served version's file corrupted on disk. Each time
the service keeps tagging with the model it has loaded (even when its model process dies
and is started again) and reports the problem in /readyz and /metrics, once.
(tests/service/tagging/test_reload.py covers the watcher's own refusals: checksum, library
versions.)"""

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.auth.keys import Role, create_key
from service.main import build_app
from service.settings import Settings
from service.state import AppState
from service.storage.db import make_engine, make_sessions
from service.storage.migrate import upgrade
from tests.service.api.routes.test_health import sample
from tests.service.tagging.conftest import registry  # noqa: F401 - a fixture
from training.registry import set_active

OLD, NEW = "20260101-000000-test", "20260202-000000-next"
POLL_SECONDS = 0.1
NOTICED_WITHIN = 10.0  # a few polls; generous for a loaded CI machine
FAILURES = "mentor_themes_model_reload_failures_total"


class Served:
    """A running app on a registry, with an ingest key."""

    def __init__(self, client: TestClient, key: str) -> None:
        self.client = client
        self.auth = {"Authorization": f"Bearer {key}"}

    @property
    def state(self) -> AppState:
        state: AppState = self.client.app.state.app_state  # type: ignore[attr-defined]
        return state

    def tag(self) -> str:
        response = self.client.post("/v1/tag", json={"texts": ["She spoke up."]}, headers=self.auth)
        assert response.status_code == 200, response.text
        return str(response.json()["model_version"])

    def failures(self) -> float:
        return sample(self.client.get("/metrics").text, FAILURES)

    def reload_detail(self) -> str | None:
        response = self.client.get("/readyz")
        assert response.status_code == 200, "a registry fault must not make the service unready"
        detail: str | None = response.json()["detail"].get("model_reload")
        return detail

    def wait_for_detail(self, check: Callable[[str | None], bool]) -> str | None:
        deadline = time.monotonic() + NOTICED_WITHIN
        while time.monotonic() < deadline:
            detail = self.reload_detail()
            if check(detail):
                return detail
            time.sleep(POLL_SECONDS)
        raise AssertionError(f"/readyz detail stayed {self.reload_detail()!r}")

    def problem(self) -> str:
        """The registry problem /readyz reports, once it does."""
        detail = self.wait_for_detail(lambda d: d is not None)
        assert detail is not None
        return detail

    def kill_model_process(self) -> None:
        runner = self.state.tagging._process
        assert runner is not None, "the app runs the model in a child process"
        os.kill(runner._child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        runner._child.join(timeout=10)


@pytest.fixture
def served(registry: Path, tmp_path: Path) -> Iterator[Served]:  # noqa: F811 - the fixture
    url = f"sqlite:///{tmp_path / 'models.db'}"
    engine = make_engine(url)
    upgrade(engine)
    key = create_key(make_sessions(engine), tenant_id="models", role=Role.INGEST).key
    engine.dispose()
    settings = Settings(
        database_url=url,
        models_dir=registry,
        model_poll_seconds=POLL_SECONDS,
        tag_in_process=True,
        rate_limit_per_minute=0,
    )
    with TestClient(build_app(settings)) as client:
        yield Served(client, key)


def test_a_models_folder_renamed_away_keeps_the_loaded_model_serving(
    served: Served,
    registry: Path,  # noqa: F811 - the fixture
) -> None:
    before = served.failures()
    away = registry.with_name("models-gone")
    registry.rename(away)
    try:
        assert str(registry / "active") in served.problem()
        assert served.tag() == OLD
        served.kill_model_process()  # a new model process cannot read the folder either
        assert served.tag() == OLD
        time.sleep(10 * POLL_SECONDS)
        assert served.failures() == before + 1, "counted once, not at every poll"
        assert served.state.watcher._thread.is_alive()
    finally:
        away.rename(registry)
    assert served.wait_for_detail(lambda d: d is None) is None
    set_active(registry, NEW)  # and the watcher still follows the pointer
    deadline = time.monotonic() + NOTICED_WITHIN
    while served.tag() != NEW and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    assert served.tag() == NEW


def test_a_corrupted_new_version_made_active_is_refused_and_reported(
    served: Served,
    registry: Path,  # noqa: F811 - the fixture
) -> None:
    before = served.failures()
    model_file = registry / NEW / "model.joblib"
    model_file.write_bytes(b"not a model")
    set_active(registry, NEW)
    detail = served.problem()
    assert detail.startswith(f"version {NEW} refused") and "checksum" in detail
    assert served.failures() == before + 1
    assert served.tag() == OLD


def test_the_served_versions_file_corrupted_on_disk_is_reported_and_it_keeps_serving(
    served: Served,
    registry: Path,  # noqa: F811 - the fixture
) -> None:
    before = served.failures()
    model_file = registry / OLD / "model.joblib"
    original = model_file.read_bytes()
    model_file.write_bytes(original[: len(original) // 2])
    detail = served.problem()
    assert detail.startswith(f"version {OLD}:") and "no longer matches" in detail
    assert "restart would refuse it" in detail
    assert served.failures() == before + 1
    served.kill_model_process()  # the new model process must not read the corrupted file
    assert served.tag() == OLD
    model_file.write_bytes(original)
    assert served.wait_for_detail(lambda d: d is None) is None
    assert served.failures() == before + 1
