"""Load benchmark: mixed traffic at a real 2-worker server; fails on any error or memory growth.

Starts ``mentor-themes serve --workers 2`` on 127.0.0.1 (a fresh SQLite database in a
temporary folder, the active model of ``models/``, the per-key rate limit off) and drives
it with 32 locust users from a process of their own (``bench/load_client.py``, which says
what the traffic is: 60% single-note ingest, 15% batches of 20-50 notes, 15% trends of a
mentee, a cohort or the tenant, 10% note reads). Client and server share this machine's
cores. A warm-up run of the same traffic comes first; the server's resident memory (VmRSS
summed over the uvicorn master, its workers and their model processes) is read when the
warm-up has ended and again after the measured run, both times with the server idle, and
every half second in between for the peak.

Prints per route: requests, req/s, p50/p95/p99 ms and errors (an exception or an answer
outside 2xx; for a batch, also an item that was not stored), the memory in all and per
process, and the cores the server, the client and anything else kept busy during the run
(rates measured while other jobs run are lower). Exits 1 when any request of either run
failed or the memory grew by 10% or more.

Usage: python bench/load.py [--seconds 60] [--clients 32] [--warmup 30] [--workers 2]
"""

import argparse
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from service.auth.keys import Role, create_key
from service.storage.db import make_engine, make_sessions
from service.storage.migrate import upgrade
from training.registry import read_active

ROOT = Path(__file__).resolve().parent.parent
SERVE = Path(sys.executable).parent / "mentor-themes"
CLIENT = Path(__file__).resolve().parent / "load_client.py"
SAMPLES = ROOT / "data" / "samples" / "notes.jsonl"
MAX_GROWTH = 0.10
MIB = 1024 * 1024
TICK = os.sysconf("SC_CLK_TCK")


class Proc(NamedTuple):
    role: str
    rss: int  # bytes
    cpu: float  # seconds, user and system


class Cpu(NamedTuple):
    """CPU seconds spent during the measured run."""

    server: float
    client: float
    machine: float  # every process of the machine, these two included


@dataclass
class Result:
    """What one load run saw: the client's figures, the server's processes by pid after the
    warm-up and at the end, and the CPU time spent."""

    seconds: float
    routes: dict[str, dict[str, float]]
    errors: list[dict[str, Any]]  # of the warm-up and the measured run
    notes_created: int
    start: dict[int, Proc]
    end: dict[int, Proc]
    rss_peak: int
    cpu: Cpu

    @property
    def error_count(self) -> int:
        return sum(int(error["count"]) for error in self.errors)

    @property
    def rss_start(self) -> int:
        return sum(process.rss for process in self.start.values())

    @property
    def rss_end(self) -> int:
        return sum(process.rss for process in self.end.values())

    @property
    def rss_growth(self) -> float:
        return self.rss_end / self.rss_start - 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_tree(root: int) -> dict[int, int]:
    """``root`` and every process descended from it, each with its parent, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # it ended meanwhile
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    tree, todo = {root: 0}, [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            tree[child] = pid
            todo.append(child)
    return tree


def rss(pid: int) -> int:
    """VmRSS of one process in bytes (0 once it has ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def machine_cpu_seconds() -> float:
    """Busy time of all cores since boot (not idle, not waiting for the disk)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / TICK


def snapshot(root: int) -> dict[int, Proc]:
    """Each process of the server's tree: its role, resident bytes and CPU time."""
    tree = process_tree(root)
    processes = {}
    for pid, parent in tree.items():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if pid == root:
            role = "uvicorn master"
        elif b"resource_tracker" in command:
            role = "resource tracker"  # multiprocessing's, of the master
        else:
            role = "worker" if parent == root else "model process"
        processes[pid] = Proc(role, rss(pid), cpu_seconds(pid))
    return processes


def tree_rss(root: int) -> int:
    return sum(rss(pid) for pid in process_tree(root))


def start_server(
    *, database_url: str, models_dir: Path, port: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "MENTOR_THEMES_DATABASE_URL": database_url,
        "MENTOR_THEMES_MODELS_DIR": str(models_dir),
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
            start_new_session=True,  # own process group: one that will not stop is killed whole
            cwd=ROOT,
        )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and server.poll() is None:
        # Ready once one worker answers and every worker has started its model process.
        roles = [process.role for process in snapshot(server.pid).values()]
        if ready(port) and roles.count("model process") == workers:
            return server
        time.sleep(0.5)
    stop_server(server)
    raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
            return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)  # uvicorn's master stops its workers, they their models
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def drive(url: str, key: str, *, seconds: float, clients: int, folder: Path) -> dict[str, Any]:
    """Run the locust client process for ``seconds`` and return its figures."""
    out, log = folder / "client.json", folder / "client.log"
    command = [sys.executable, str(CLIENT), "--host", url, "--key", key, "--samples", str(SAMPLES)]
    command += ["--seconds", str(seconds), "--users", str(clients), "--out", str(out)]
    with log.open("wb") as output:
        code = subprocess.run(
            command, stdout=output, stderr=subprocess.STDOUT, timeout=seconds + 300
        )
    if code.returncode != 0 or not out.exists():
        raise RuntimeError(f"the load client failed:\n{log.read_text()[-3000:]}")
    figures: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    return figures


def run(*, seconds: float, clients: int, warmup: float, workers: int, models_dir: Path) -> Result:
    """Warm a fresh server up, then load it for ``seconds``, reading its memory around that."""
    with tempfile.TemporaryDirectory(prefix="mentor-themes-load-") as name:
        folder = Path(name)
        database_url = f"sqlite:///{folder / 'load.db'}"
        engine = make_engine(database_url)
        upgrade(engine)
        key = create_key(make_sessions(engine), tenant_id="load", role=Role.ADMIN).key
        engine.dispose()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(
            database_url=database_url,
            models_dir=models_dir,
            port=port,
            workers=workers,
            log=folder / "server.log",
        )
        try:
            warm = drive(url, key, seconds=warmup, clients=clients, folder=folder)
            start = snapshot(server.pid)
            peak = [sum(process.rss for process in start.values())]
            done = threading.Event()

            def watch() -> None:
                while not done.wait(0.5):
                    peak.append(tree_rss(server.pid))

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            machine_before = machine_cpu_seconds()
            try:
                measured = drive(url, key, seconds=seconds, clients=clients, folder=folder)
            finally:
                done.set()
                watcher.join()
            end = snapshot(server.pid)
            machine = machine_cpu_seconds() - machine_before
            client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        finally:
            stop_server(server)
    errors = [error | {"run": "warm-up"} for error in warm["errors"]]
    errors += [error | {"run": "measured"} for error in measured["errors"]]
    return Result(
        seconds=measured["seconds"],
        routes=measured["routes"],
        errors=errors,
        notes_created=measured["notes_created"],
        start=start,
        end=end,
        rss_peak=max(peak),
        cpu=Cpu(
            server=sum(p.cpu for p in end.values()) - sum(p.cpu for p in start.values()),
            client=client_after.ru_utime
            + client_after.ru_stime
            - client_before.ru_utime
            - client_before.ru_stime,
            machine=machine,
        ),
    )


def report(result: Result) -> list[str]:
    """The figures as lines, and whether the run passed (no error, growth under 10%)."""
    lines = [
        f"{'route':<26}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'errors':>8}"
    ]
    total = sum(figures["count"] for figures in result.routes.values())
    for name, figures in sorted(result.routes.items(), key=lambda item: -item[1]["count"]):
        lines.append(
            f"{name:<26}{figures['count']:>9.0f}{figures['count'] / result.seconds:>8.1f}"
            f"{figures['p50']:>8.0f}{figures['p95']:>8.0f}{figures['p99']:>8.0f}"
            f"{figures['errors']:>8.0f}"
        )
    lines.append(
        f"{'total':<26}{total:>9.0f}{total / result.seconds:>8.1f}{'':>24}{result.error_count:>8}"
    )
    lines.append(
        f"notes stored: {result.notes_created} ({result.notes_created / result.seconds:.0f}/s, "
        "single and batch)"
    )
    lines.append(
        f"server RSS, {len(result.end)} processes: {result.rss_start / MIB:.0f} MiB after warm-up,"
        f" {result.rss_end / MIB:.0f} MiB at the end ({result.rss_growth:+.1%}),"
        f" peak {result.rss_peak / MIB:.0f} MiB"
    )
    for pid in sorted(result.start.keys() | result.end.keys()):
        before = result.start.get(pid) or result.end[pid]._replace(rss=0)
        after = result.end.get(pid) or before._replace(rss=0)
        lines.append(
            f"  {before.role:<16}{pid:>8}{before.rss / MIB:>7.0f} MiB ->{after.rss / MIB:>5.0f} MiB"
        )
    cores = {name: value / result.seconds for name, value in result.cpu._asdict().items()}
    lines.append(
        f"cores busy on average: server {cores['server']:.2f}, client {cores['client']:.2f}, "
        f"anything else {max(0.0, cores['machine'] - cores['server'] - cores['client']):.2f} "
        f"(of {os.cpu_count()})"
    )
    for error in result.errors:
        lines.append(
            f"  error ({error['run']}) {error['route']} x{error['count']}: {error['error']}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=30, help="seconds of warm-up traffic")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    models_dir = ROOT / "models"
    if read_active(models_dir) is None:
        raise SystemExit("no active model: run 'mentor-themes train' (or make run) first")
    print(
        f"machine: {os.cpu_count()} cores; {args.workers} workers, {args.clients} clients, "
        f"{args.seconds:.0f} s after {args.warmup:.0f} s of warm-up"
    )
    result = run(
        seconds=args.seconds,
        clients=args.clients,
        warmup=args.warmup,
        workers=args.workers,
        models_dir=models_dir,
    )
    print("\n".join(report(result)))
    failures = []
    if result.error_count:
        failures.append(f"{result.error_count} requests failed")
    if result.rss_growth >= MAX_GROWTH:
        failures.append(f"server memory grew {result.rss_growth:.1%} (limit {MAX_GROWTH:.0%})")
    if failures:
        raise SystemExit("FAIL: " + "; ".join(failures))
    print(f"PASS: no failed request, memory growth {result.rss_growth:+.1%} < {MAX_GROWTH:.0%}")


if __name__ == "__main__":
    main()
