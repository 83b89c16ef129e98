"""A 2xx means committed: kill the server with SIGKILL in the middle of a stream of posts,
restart it, and every acknowledged note must be there (SQLite and PostgreSQL)."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from service.db import make_engine, make_sessions
from service.keys import Role, create_key

SERVE = Path(sys.executable).parent / "mentor-themes"
WRITERS = 4
ACKS_BEFORE_KILL = 80


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    database_url: str,
    models_dir: Path,
    port: int,
    log: Path,
    *,
    workers: int = 1,
    settings: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "MENTOR_THEMES_DATABASE_URL": database_url,
        "MENTOR_THEMES_MODELS_DIR": str(models_dir),
        "MENTOR_THEMES_LOG_LEVEL": "debug",
        **(settings or {}),
    }
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        server = subprocess.Popen(
            [str(SERVE), "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: SIGKILL reaches the tagging child too
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
        if server.poll() is not None:
            break
    os.killpg(server.pid, signal.SIGKILL)
    raise AssertionError(f"server did not become ready:\n{log.read_text()[-3000:]}")


def request(port: int, method: str, path: str, key: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    call = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(call, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_every_acknowledged_note_survives_sigkill(
    database_url: str, models_dir: Path, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    tenant = f"durability-{uuid.uuid4().hex[:8]}"
    key = create_key(make_sessions(engine), tenant_id=tenant, role=Role.ADMIN).key
    engine.dispose()
    port, log = free_port(), tmp_path / "server.log"
    marker = f"private-{uuid.uuid4().hex}"
    server = start_server(database_url, models_dir, port, log)

    acknowledged: dict[str, tuple[str, str]] = {}  # external id -> (note id, text)
    lock = threading.Lock()
    enough = threading.Event()

    def write(writer: int) -> None:
        for n in range(10_000):
            external_id = f"w{writer}-{n}"
            text = f"Session {n}: she felt more confident presenting ({marker})."
            try:
                status, body = request(
                    port,
                    "POST",
                    "/v1/notes",
                    key,
                    {"text": text, "mentee_id": f"m{writer}", "external_id": external_id},
                )
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                return  # the server is gone
            if status in (200, 201):
                with lock:
                    acknowledged[external_id] = (body["id"], text)
                    if len(acknowledged) >= ACKS_BEFORE_KILL:
                        enough.set()

    writers = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in writers:
        thread.start()
    assert enough.wait(timeout=120), f"only {len(acknowledged)} notes acknowledged"
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=30)
    for thread in writers:
        thread.join(timeout=60)
    assert len(acknowledged) >= ACKS_BEFORE_KILL

    server = start_server(database_url, models_dir, port, log)
    try:
        for external_id, (note_id, text) in acknowledged.items():
            status, body = request(port, "GET", f"/v1/notes/{note_id}", key)
            assert status == 200, f"acknowledged note {external_id} lost after SIGKILL"
            assert body["text"] == text and body["external_id"] == external_id
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
    output = log.read_text()
    assert "Application startup complete" in output
    assert marker not in output, "note text reached the server's log"
    assert key.split("_", 2)[2] not in output, "an API key reached the server's log"
