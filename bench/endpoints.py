"""HTTP benchmark: prints figures, asserts nothing.

Starts ``mentor-themes serve`` on 127.0.0.1 (a fresh SQLite database in a temporary
folder, the active model of ``models/``) at 1 and then 2 workers, and drives it with wrk
(Debian package ``wrk``) from this machine:

- ``GET /healthz``, the trivial endpoint every other figure is divided by;
- ``POST /v1/tag`` with one note per request, rotating over real sample notes;
- ``POST /v1/notes`` storing one note per request;
- ``POST /v1/notes/batch`` with 500-note batches, sent back to back by two clients:
  notes stored per second.

Each wrk run is preceded by a warm-up run of the same load. The server logs at warning
level (no access log); both load generator and server share this machine's cores.

Usage: python bench/endpoints.py [--connections 32] [--seconds 10] [--workers 1 2]
"""

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would shadow the
# standard library's ``http`` package that urllib imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

from service.auth.keys import Role, create_key  # noqa: E402
from service.storage.db import make_engine, make_sessions  # noqa: E402
from service.storage.migrate import upgrade  # noqa: E402
from training.registry import read_active  # noqa: E402
from training.samples import load_samples  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SERVE = Path(sys.executable).parent / "mentor-themes"
BATCH = 500

# wrk picks a body per request from a rotation of real notes.
WRK_SCRIPT = """
local bodies = {}
local file = io.open("%(bodies)s")
for line in file:lines() do bodies[#bodies + 1] = line end
file:close()
local i = 0
wrk.method = "%(method)s"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(key)s"
request = function()
  if #bodies == 0 then return wrk.format(nil, nil) end
  i = i %% #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(database_url: str, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "MENTOR_THEMES_DATABASE_URL": database_url,
        "MENTOR_THEMES_LOG_LEVEL": "warning",
        # One key sends everything here; the limit would turn most of it into 429s.
        "MENTOR_THEMES_RATE_LIMIT_PER_MINUTE": "0",
    }
    with log.open("ab") as output:
        server = subprocess.Popen(
            [str(SERVE), "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
        )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                # Every worker loads its model; give the last ones a moment after the first.
                time.sleep(3 * (workers - 1))
                return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise SystemExit(f"server did not start:\n{log.read_text()[-2000:]}")


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def wrk(url: str, script: Path | None, connections: int, seconds: int) -> dict[str, float]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} failed requests\n{output}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50": _millis(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
        "p99": _millis(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
    }


def _millis(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def post(port: int, path: str, key: str, body: bytes) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        assert response.status == 200, response.status


def batch_rate(port: int, key: str, texts: list[str], clients: int, batches: int) -> float:
    """Notes stored per second by ``clients`` senders each posting ``batches`` batches."""
    bodies = [
        json.dumps(
            {
                "notes": [
                    {"text": texts[(c * BATCH + i) % len(texts)], "mentee_id": f"b{c}"}
                    for i in range(BATCH)
                ]
            }
        ).encode()
        for c in range(clients)
    ]
    post(port, "/v1/notes/batch", key, bodies[0])  # warm-up

    def send(client: int) -> None:
        for _ in range(batches):
            post(port, "/v1/notes/batch", key, bodies[client])

    threads = [threading.Thread(target=send, args=(c,)) for c in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clients * batches * BATCH / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batches", type=int, default=6, help="batches per client")
    parser.add_argument("--batch-clients", type=int, default=2, help="concurrent batch senders")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    if read_active(ROOT / "models") is None:
        raise SystemExit("no active model: run 'mentor-themes train' (or make run) first")

    texts = [sample.text for sample in load_samples([ROOT / "data/samples/notes.jsonl"])]
    print(f"machine: {os.cpu_count()} cores; wrk -t1 -c{args.connections} -d{args.seconds}s")
    print(
        f"{'workers':>7}  {'endpoint':<24}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'x trivial':>11}"
    )
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        scripts = {}
        for name, lines in (
            ("tag", [json.dumps({"texts": [t]}) for t in texts[:500]]),
            ("notes", [json.dumps({"text": t, "mentee_id": "m"}) for t in texts[:500]]),
        ):
            (root / f"{name}.jsonl").write_text("\n".join(lines) + "\n")
        for workers in args.workers:
            database_url = f"sqlite:///{root / f'bench-{workers}.db'}"
            engine = make_engine(database_url)
            upgrade(engine)
            key = create_key(make_sessions(engine), tenant_id="bench", role=Role.ADMIN).key
            engine.dispose()
            for name in ("tag", "notes"):
                scripts[name] = root / f"{name}.lua"
                scripts[name].write_text(
                    WRK_SCRIPT % {"bodies": root / f"{name}.jsonl", "method": "POST", "key": key}
                )
            port = free_port()
            server = start(database_url, port, workers, root / "server.log")
            try:
                base = f"http://127.0.0.1:{port}"
                runs = {
                    "GET /healthz": (f"{base}/healthz", None),
                    "POST /v1/tag (1 note)": (f"{base}/v1/tag", scripts["tag"]),
                    "POST /v1/notes": (f"{base}/v1/notes", scripts["notes"]),
                }
                trivial = None
                for label, (url, script) in runs.items():
                    wrk(url, script, args.connections, max(3, args.seconds // 3))  # warm-up
                    figures = wrk(url, script, args.connections, args.seconds)
                    trivial = trivial or figures["rps"]
                    print(
                        f"{workers:>7}  {label:<24}{figures['rps']:>9.0f}{figures['p50']:>9.1f}"
                        f"{figures['p99']:>9.1f}{figures['rps'] / trivial:>10.2f}x"
                    )
                clients = args.batch_clients
                rate = batch_rate(port, key, texts, clients=clients, batches=args.batches)
                print(
                    f"{workers:>7}  {'POST /v1/notes/batch':<24}{rate:>9.0f} notes/s "
                    f"({BATCH}-note batches, {clients} clients)"
                )
            finally:
                stop(server)


if __name__ == "__main__":
    main()
