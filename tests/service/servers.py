"""Real servers for the tests that need one: `mentor-themes serve` in a process group of its
own (so SIGKILL reaches the tagging child too), started on a free port, waited for until
/readyz answers, and called over HTTP with the standard library."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

SERVE = Path(sys.executable).parent / "mentor-themes"
# What a caller may see while a server is being killed or is down (IncompleteRead: killed
# between the response's headers and its body).
GONE = (urllib.error.URLError, ConnectionError, TimeoutError, OSError, http.client.HTTPException)


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
        # Tests send many requests with one key; tests of the limit set their own.
        "MENTOR_THEMES_RATE_LIMIT_PER_MINUTE": "0",
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


def kill_server(server: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGKILL) -> None:
    """Signal the server's whole process group and wait for it to end."""
    try:
        os.killpg(server.pid, sig)
    except ProcessLookupError:
        pass
    server.wait(timeout=60)


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: Message
    seconds: float


def call(
    port: int,
    method: str,
    path: str,
    key: str | None = None,
    body: Any = None,
    *,
    timeout: float = 30,
) -> Reply:
    """One request (JSON bodies parsed, others as text); raises one of ``GONE`` when the
    server cannot be reached or is slower than ``timeout``."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    prepared = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=headers
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as response:
            status, raw, received = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, received = error.code, error.read(), error.headers
    is_json = "json" in received.get("Content-Type", "")
    parsed = json.loads(raw) if is_json and raw else raw.decode()
    return Reply(status, parsed, received, time.monotonic() - started)


def request(port: int, method: str, path: str, key: str, body: Any = None) -> tuple[int, Any]:
    reply = call(port, method, path, key, body)
    return reply.status, reply.body
