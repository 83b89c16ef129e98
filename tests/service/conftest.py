"""Service fixtures: a registry with a small trained model, and a running app per database
backend (SQLite file and a real PostgreSQL server). Tests keep apart by using tenants of
their own, so one app serves the whole session."""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.auth.keys import Role, create_key
from service.main import build_app
from service.settings import Settings
from service.state import AppState
from service.storage.db import make_engine, make_sessions
from service.storage.migrate import upgrade
from training.estimator import ThemeTagger
from training.registry import library_versions, save_model
from training.themes import load_themes

POSTGRES_URL_VARIABLE = "MENTOR_THEMES_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")
TEST_LIMITS = {"max_body_bytes": 256 * 1024, "max_text_chars": 5_000, "max_batch_notes": 50}


def postgres_url() -> str:
    """The test server's URL; without one, skip locally but fail under CI=true."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        return url
    message = f"no PostgreSQL test server: set {POSTGRES_URL_VARIABLE} (scripts/test-postgres.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def backend_url(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}"
    return postgres_url()


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory, fitted_tagger: ThemeTagger) -> Path:
    """A registry holding the small session tagger as its active version."""
    folder = tmp_path_factory.mktemp("models")
    themes = {theme.id: theme for theme in load_themes()}
    card = {
        "labels": [
            {"id": str(label), "name": themes[label].name, "definition": themes[label].definition}
            for label in fitted_tagger.classes_
        ],
        "thresholds": {
            str(label): float(value)
            for label, value in zip(fitted_tagger.classes_, fitted_tagger.thresholds_, strict=True)
        },
        "data": {"n": 960, "files": [{"path": "/somewhere/notes.jsonl", "sha256": "0" * 64}]},
        "libraries": library_versions(),
    }
    save_model(folder, "20260101-000000-test", fitted_tagger, card)
    return folder


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database on each backend (shared by the session; tests use own tenants)."""
    url = backend_url(request.param, tmp_path_factory.mktemp("db"))
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def settings(database_url: str, models_dir: Path) -> Settings:
    # No rate limit: tests send hundreds of requests with one key; test_ratelimit has its own.
    return Settings(
        database_url=database_url,
        models_dir=models_dir,
        key_cache_seconds=0,
        rate_limit_per_minute=0,
        **TEST_LIMITS,
    )


@dataclass
class Api:
    """A client on a running app, and a way to make keys in fresh tenants."""

    client: TestClient
    state: AppState

    def key(self, tenant: str, role: Role = Role.ADMIN, mentor: str | None = None) -> str:
        return create_key(self.state.sessions, tenant_id=tenant, role=role, mentor_id=mentor).key

    def tenant(self) -> str:
        return f"tenant-{uuid.uuid4().hex[:10]}"

    def headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def post_note(self, key: str, **fields: Any) -> Any:
        body = {"text": "She led the planning meeting with confidence.", "mentee_id": "m-1"}
        return self.client.post("/v1/notes", json=body | fields, headers=self.headers(key))


@pytest.fixture(scope="session")
def api(settings: Settings) -> Iterator[Api]:
    with TestClient(build_app(settings)) as client:
        state = client.app.state.app_state  # type: ignore[attr-defined]
        yield Api(client=client, state=state)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> Any:
    return make_sessions(engine)
