"""The database gone while the server runs: PostgreSQL stopped under traffic and started
again, and a server that accepts connections but never answers.

While the database is down every request that needs it fails fast with a 503
problem+json and a Retry-After header (none hangs, none is a 500) and /readyz says the
database is down; once it is back the same server answers again by itself, the
group-commit writer included. The ``disruptive`` test stops the shared local test cluster
(pg_ctlcluster, as root) for a few seconds and always starts it again: do not run it beside
other tests that use that cluster."""

import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from service.api.problems import MEDIA_TYPE, RETRY_AFTER_SECONDS
from service.auth.keys import Role, create_key
from service.storage.db import (
    CONNECT_TIMEOUT_SECONDS,
    make_engine,
    make_sessions,
    unreachable_reason,
)
from service.storage.migrate import upgrade
from tests.service.conftest import postgres_url
from tests.service.servers import GONE, Reply, call, free_port, kill_server, start_server

# A failed request must be answered within the connect timeout plus scheduling slack (a
# stopped server refuses at once; an unreachable host would take the whole connect timeout).
FAIL_WITHIN = CONNECT_TIMEOUT_SECONDS + 2.0
# Once the database accepts connections again: the pool pings each connection it hands
# out, so the first request after recovery should already succeed.
RECOVER_WITHIN = 10.0
OUTAGE_SECONDS = 4.0
CLIENT_TIMEOUT = 30.0  # far above FAIL_WITHIN: a hang shows up as a slow reply, not an error
SETTINGS = {"MENTOR_THEMES_LOG_LEVEL": "info"}


def skip_or_fail(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class Cluster:
    """The local Debian PostgreSQL cluster behind the test URL."""

    version: str
    name: str

    def ctl(self, action: str, *options: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", self.version, self.name, action, *options],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def online(self) -> bool:
        listing = subprocess.run(
            ["pg_lsclusters", "--no-header", self.version, self.name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        return len(listing) > 3 and listing[3] == "online"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """The cluster serving postgres_url(); started again after the test whatever happens."""
    url = make_url(postgres_url())
    if shutil.which("pg_ctlcluster") is None or os.geteuid() != 0:
        skip_or_fail("stopping PostgreSQL needs Debian's pg_ctlcluster and root")
    if url.host not in ("127.0.0.1", "localhost"):
        skip_or_fail(f"the test PostgreSQL server at {url.host} is not a local cluster")
    port = str(url.port or 5432)
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], check=True, capture_output=True, text=True
    ).stdout
    found = [line.split()[:2] for line in listing.splitlines() if line.split()[2:3] == [port]]
    if not found:
        skip_or_fail(f"no local PostgreSQL cluster listens on port {port}")
    cluster = Cluster(*found[0])
    try:
        yield cluster
    finally:
        for _ in range(3):
            if cluster.online():
                break
            try:
                cluster.ctl("start")
            except subprocess.CalledProcessError:
                time.sleep(2)
        assert cluster.online(), f"could not start PostgreSQL {cluster} again"


@dataclass(frozen=True)
class Sent:
    at: float  # monotonic time the request was sent
    stream: str
    reply: Reply | None  # None: no answer at all (connection refused, reset, timeout)
    seconds: float


class Streams:
    """Clients that keep posting and reading notes and record every answer."""

    def __init__(self, port: int, key: str, note_id: str) -> None:
        self.port, self.key, self.note_id = port, key, note_id
        self.sent: list[Sent] = []
        self.acknowledged: dict[str, str] = {}  # external id -> note id
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(name,))
            for name in ("note", "note", "batch", "read")
        ]

    def __enter__(self) -> "Streams":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=CLIENT_TIMEOUT + 10)

    def _send(self, stream: str, n: int) -> Reply:
        tag = f"{stream}-{threading.get_ident()}-{n}"
        note = {"text": f"She felt more confident ({tag}).", "mentee_id": "m1", "external_id": tag}
        if stream == "note":
            reply = call(self.port, "POST", "/v1/notes", self.key, note, timeout=CLIENT_TIMEOUT)
            if reply.status in (200, 201):
                with self._lock:
                    self.acknowledged[tag] = reply.body["id"]
            return reply
        if stream == "batch":
            body = {"notes": [note, note | {"external_id": f"{tag}-b"}]}
            return call(self.port, "POST", "/v1/notes/batch", self.key, body, timeout=30)
        return call(self.port, "GET", f"/v1/notes/{self.note_id}", self.key, timeout=30)

    def _run(self, stream: str) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            started = time.monotonic()
            try:
                reply: Reply | None = self._send(stream, n)
            except GONE:
                reply = None
            with self._lock:
                self.sent.append(Sent(started, stream, reply, time.monotonic() - started))
            time.sleep(0.02)

    def between(self, start: float, end: float) -> list[Sent]:
        with self._lock:
            return [sent for sent in self.sent if start <= sent.at < end]


def status(sent: Sent) -> int:
    return 0 if sent.reply is None else sent.reply.status


def test_a_database_that_never_answers_is_given_up_after_the_connect_timeout() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) and says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        engine = make_engine(f"postgresql+psycopg://nobody:x@127.0.0.1:{silent.getsockname()[1]}/x")
        started = time.monotonic()
        reason = unreachable_reason(engine)
        waited = time.monotonic() - started
        engine.dispose()
    assert reason is not None and reason.startswith("unreachable")
    assert CONNECT_TIMEOUT_SECONDS - 0.5 < waited < FAIL_WITHIN, f"gave up after {waited:.2f} s"


@pytest.mark.disruptive
def test_requests_fail_fast_with_503_while_postgresql_is_down_and_recover(
    cluster: Cluster, models_dir: Path, tmp_path: Path
) -> None:
    url = postgres_url()
    engine = make_engine(url)
    upgrade(engine)
    key = create_key(make_sessions(engine), tenant_id=f"outage-{uuid.uuid4().hex[:8]}",
                     role=Role.ADMIN).key  # fmt: skip
    engine.dispose()
    port, log = free_port(), tmp_path / "server.log"
    server = start_server(url, models_dir, port, log, settings=SETTINGS)
    try:
        first = call(port, "POST", "/v1/notes", key, {"text": "We met.", "mentee_id": "m1"})
        assert first.status == 201, first.body
        with Streams(port, key, first.body["id"]) as streams:
            time.sleep(1.0)
            stopping = time.monotonic()
            cluster.ctl("stop", "-m", "fast")
            stopped = time.monotonic()
            time.sleep(OUTAGE_SECONDS / 2)
            ready = call(port, "GET", "/readyz")
            time.sleep(OUTAGE_SECONDS / 2)
            starting = time.monotonic()
            cluster.ctl("start")
            started = time.monotonic()
            deadline = started + RECOVER_WITHIN
            while time.monotonic() < deadline:
                recent = streams.between(time.monotonic() - 1.0, time.monotonic())
                if {s.stream for s in recent if status(s) in (200, 201)} == {
                    "note",
                    "batch",
                    "read",
                }:
                    break
                time.sleep(0.1)
            time.sleep(0.5)
        after = call(port, "POST", "/v1/notes", key, {"text": "Back again.", "mentee_id": "m1"})
        readyz_after = call(port, "GET", "/readyz")
        stored = {
            external_id: call(port, "GET", f"/v1/notes/{note_id}", key).status
            for external_id, note_id in streams.acknowledged.items()
        }
    finally:
        kill_server(server)

    everything = streams.sent
    assert {status(s) for s in everything} <= {200, 201, 503}, "only successes and 503s"
    down = streams.between(stopped, starting)
    assert down and all(status(s) == 503 for s in down), "a request succeeded while down?"
    failed = [s for s in everything if status(s) == 503]
    for sent in failed:
        assert sent.reply is not None
        assert sent.reply.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert sent.reply.headers["Content-Type"].startswith(MEDIA_TYPE)
        assert sent.reply.body["status"] == 503 and "database" in sent.reply.body["detail"]
    slowest = max(s.seconds for s in failed)
    assert slowest < FAIL_WITHIN, f"a failed request took {slowest:.2f} s"

    assert ready.status == 503 and ready.body["checks"]["database"] is False
    assert ready.body["detail"]["database"].startswith("unreachable")
    assert readyz_after.status == 200 and readyz_after.body["checks"]["database"] is True

    first_503 = min(s.at + s.seconds for s in failed) - stopping
    recovered = {
        stream: min(
            (s.at + s.seconds for s in everything if s.stream == stream and s.at >= started
             and status(s) in (200, 201)),
            default=float("inf"),
        ) - started
        for stream in ("note", "batch", "read")
    }  # fmt: skip
    assert max(recovered.values()) < RECOVER_WITHIN, f"recovery took {recovered}"
    assert after.status == 201, "the writer did not survive the outage"
    assert set(stored.values()) == {200}, "an acknowledged note is missing"
    print(
        f"stop took {stopped - stopping:.2f} s, first 503 {first_503:.2f} s after it began; "
        f"{len(failed)} failed requests, slowest {slowest:.3f} s; recovered "
        + ", ".join(f"{k} {v:.2f} s" for k, v in recovered.items())
        + f" after the start returned; {len(stored)} notes acknowledged, all present"
    )
