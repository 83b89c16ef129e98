"""Against a real 2-worker server at debug level: a revoked key stops working on every
worker within the revocation poll (0.25 s), though both have it cached; and after a full
run of every kind of request the log is JSON lines with request ids, holding no note text
and no key."""

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from service.auth.keys import Role, create_key
from service.cli import app as cli
from service.settings import get_settings
from service.storage.db import make_engine, make_sessions
from service.storage.migrate import upgrade
from tests.service.servers import call, free_port, kill_server, start_server

WORKERS = 2
TRIES = 20  # connections land on either worker; this many requests reach both


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, models_dir: Path
) -> Iterator[tuple[int, str, Path]]:
    folder = tmp_path_factory.mktemp("served")
    url = f"sqlite:///{folder / 'logs.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    port, log = free_port(), folder / "server.log"
    server = start_server(url, models_dir, port, log, workers=WORKERS)
    try:
        yield port, url, log
    finally:
        kill_server(server)


def test_a_revoked_key_stops_working_at_once_on_every_worker(
    served: tuple[int, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, url, _ = served
    created = create_key(make_sessions(make_engine(url)), tenant_id="revoke", role=Role.READ)
    assert {call(port, "GET", "/v1/themes", created.key).status for _ in range(TRIES)} == {200}
    monkeypatch.setenv("MENTOR_THEMES_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        revoked = CliRunner().invoke(cli, ["keys", "revoke", created.principal.key_id])
    finally:
        get_settings.cache_clear()
    assert revoked.exit_code == 0, revoked.output
    # Both workers hold the key in their cache (60 s by default); each reads the revoked
    # keys every 0.25 s.
    time.sleep(0.5)
    answers = [call(port, "GET", "/v1/themes", created.key).status for _ in range(TRIES)]
    assert answers == [401] * TRIES


def full_run(port: int, key: str, words: str) -> list[str]:
    """Every kind of request, good and bad; the request ids the server sent back."""
    text = f"She told me about {words} and felt far more confident after the panel."
    note: dict[str, Any] = {"text": text, "mentee_id": "m-log", "mentor_id": "mentor-log"}
    replies = [
        call(port, "POST", "/v1/notes", key, note | {"external_id": "e-1"}),
        call(port, "POST", "/v1/notes", key, note | {"external_id": "e-1", "text": text + "!"}),
        call(port, "POST", "/v1/notes", key, note | {"mentee_id": ""}),
        call(port, "POST", "/v1/notes/batch", key, {"notes": [note, note | {"text": ""}]}),
        call(port, "POST", "/v1/tag", key, {"texts": [text]}),
        call(port, "GET", "/v1/notes?mentee_id=m-log", key),
        call(port, "GET", "/v1/review-queue", key),
        call(port, "GET", "/v1/trends?scope=mentee&id=m-log", key),
        call(port, "GET", "/v1/trends.csv?scope=mentee&id=m-log", key),
        call(port, "GET", "/v1/notes", key[:-4] + "abcd"),
        call(port, "GET", f"/v1/notes/{uuid.uuid4()}", key),
        call(port, "GET", "/readyz"),
        call(port, "GET", "/metrics"),
    ]
    note_id = replies[0].body["id"]
    replies += [
        call(port, "PUT", f"/v1/notes/{note_id}/themes", key, {"themes": ["career"]}),
        call(port, "PUT", f"/v1/notes/{note_id}/themes", key, {"themes": [text]}),
        call(port, "GET", f"/v1/notes/{note_id}", key),
        call(port, "DELETE", f"/v1/notes/{note_id}", key),
        call(port, "DELETE", "/v1/mentees/m-log", key),
    ]
    statuses = [reply.status for reply in replies]
    assert statuses == [
        201, 409, 422, 200, 200, 200, 200, 200, 200, 401, 404, 200, 200, 200, 422, 200, 204,
        200,
    ], statuses  # fmt: skip
    return [reply.headers["X-Request-ID"] for reply in replies]


def test_a_full_run_logs_json_lines_with_request_ids_and_no_text_or_key(
    served: tuple[int, str, Path],
) -> None:
    port, url, log = served
    key = create_key(make_sessions(make_engine(url)), tenant_id="logs", role=Role.ADMIN).key
    words = f"confidential-{uuid.uuid4().hex}"
    request_ids = full_run(port, key, words)
    # The access line is written once the response has gone: give the last one a moment.
    deadline = time.monotonic() + 10
    last_line = '"route": "/v1/mentees/{mentee_id}", "status": 200'
    while last_line not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    output = log.read_text()
    records = []
    for line in output.splitlines():
        if line.startswith("mentor-themes on http://"):  # serve's banner on stdout
            continue
        records.append(json.loads(line))  # every log line is a JSON object
    assert {"time", "level", "logger", "message", "request_id"} <= set(records[-1])
    access = {r["request_id"]: r for r in records if r["logger"] == "mentor_themes.access"}
    assert set(request_ids) <= set(access), "a request has no access line with its id"
    assert access[request_ids[0]]["route"] == "/v1/notes"
    assert "m-log" not in output, "a path (with its mentee id) reached the log"
    assert words not in output, "note text reached the log"
    assert key.split("_", 2)[2] not in output, "a key's secret reached the log"
