"""The client side of ``bench/load.py``: locust users sending the mixed traffic, headless.

Runs in a process of its own (importing locust lets gevent patch the standard library, and
the load generator should not share an interpreter with anything it measures). Every user
sends its next request as soon as the last one is answered, drawn at random by weight:

- 60 ``POST /v1/notes``: one real sample note with a mentee, that mentee's mentor and cohort,
  a session date in the last two years and an author role; most carry an external id, some
  are not to be stored as text, and one in fifty replays a note already stored (200);
- 15 ``POST /v1/notes/batch`` with 20 to 50 such notes;
- 15 ``GET /v1/trends``: a mentee's months, a cohort's weeks or the tenant's quarters;
- 10 ``GET /v1/notes``: a page of a mentee's notes, or one note by id.

A request fails on an exception or an answer outside 2xx; a batch also fails when one of
its items is not stored (a status other than 200 or 201). Writes the figures per route as
JSON to ``--out``.

Usage: python bench/load_client.py --host URL --key KEY --samples FILE --seconds S
       --users N --out FILE [--seed 7]
"""

import argparse
import json
import random
import time
import uuid
from collections import deque
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, constant, task
from locust.env import Environment

MENTEES, MENTORS, COHORTS = 300, 40, 8
FIRST_DAY, DAYS = date(2024, 12, 1), 730
THEMES = ("confidence", "resilience", "networking", "skills", "learning", "career")

rng = random.Random(7)
texts: list[str] = []
mentees: list[tuple[str, str, str]] = []  # (mentee, mentor, cohort)
note_ids: deque[str] = deque(maxlen=2000)  # notes stored so far, for single reads
replayable: deque[dict[str, Any]] = deque(maxlen=200)  # stored notes with an external id
counts = {"notes_created": 0, "notes_replayed": 0}


def setup(samples: Path, seed: int) -> None:
    """The sample texts, and mentees each with one mentor and one cohort."""
    rng.seed(seed)
    with samples.open(encoding="utf-8") as lines:
        texts.extend(json.loads(line)["text"] for line in lines if line.strip())
    mentees.extend(
        (f"mentee-{i:03d}", f"mentor-{rng.randrange(MENTORS):02d}", f"cohort-{i % COHORTS}")
        for i in range(MENTEES)
    )


def new_note() -> dict[str, Any]:
    mentee, mentor, cohort = rng.choice(mentees)
    note: dict[str, Any] = {
        "text": rng.choice(texts),
        "mentee_id": mentee,
        "mentor_id": mentor,
        "cohort": cohort,
        "session_date": (FIRST_DAY + timedelta(days=rng.randrange(DAYS))).isoformat(),
        "author_role": rng.choice(("mentor", "mentee")),
    }
    if rng.random() < 0.7:
        note["external_id"] = f"load-{uuid.uuid4().hex}"
    if rng.random() < 0.05:
        note["store_text"] = False
    return note


def _remember(note: dict[str, Any], out: dict[str, Any], status: int) -> None:
    note_ids.append(out["id"])
    if status == 201:
        counts["notes_created"] += 1
        if "external_id" in note:
            replayable.append(note)
    else:
        counts["notes_replayed"] += 1


class Mentoring(FastHttpUser):
    wait_time = constant(0)
    network_timeout = 120.0
    connection_timeout = 30.0
    concurrency = 1  # one request at a time per user: one connection is enough

    def _send(self, method: str, path: str, name: str, body: Any = None) -> tuple[int, Any]:
        """The status and JSON body, or (0, None) once recorded as a failure."""
        with self.client.request(
            method, path, name=name, json=body, catch_response=True
        ) as response:
            status = response.status_code or 0
            if not 200 <= status < 300:
                reason = response.error or (response.text or "")[:300]
                response.failure(f"{status} {reason}")
                return 0, None
            return status, response.json()

    @task(60)
    def post_note(self) -> None:
        replay = replayable and rng.random() < 0.02
        note = rng.choice(replayable) if replay else new_note()
        status, out = self._send("POST", "/v1/notes", "POST /v1/notes", note)
        if status:
            _remember(note, out, status)

    @task(15)
    def post_batch(self) -> None:
        notes = [new_note() for _ in range(rng.randint(20, 50))]
        with self.client.post(
            "/v1/notes/batch",
            name="POST /v1/notes/batch",
            json={"notes": notes},
            catch_response=True,
        ) as response:
            if not 200 <= (response.status_code or 0) < 300:
                reason = response.error or (response.text or "")[:300]
                response.failure(f"{response.status_code} {reason}")
                return
            results = response.json()["results"]
            refused = [r for r in results if r["status"] not in (200, 201)]
            if refused:
                first = refused[0]
                response.failure(f"{len(refused)} items refused, first {first}"[:300])
            for result in results:
                if result["status"] in (200, 201):
                    _remember(notes[result["index"]], result["note"], result["status"])

    @task(5)
    def mentee_trends(self) -> None:
        mentee = rng.choice(mentees)[0]
        path = f"/v1/trends?scope=mentee&id={mentee}&interval=month&window=3"
        self._send("GET", path, "GET /v1/trends (mentee)")

    @task(5)
    def cohort_trends(self) -> None:
        cohort = f"cohort-{rng.randrange(COHORTS)}"
        self._send(
            "GET", f"/v1/trends?scope=cohort&id={cohort}&interval=week", "GET /v1/trends (cohort)"
        )

    @task(5)
    def tenant_trends(self) -> None:
        self._send("GET", "/v1/trends?scope=tenant&interval=quarter", "GET /v1/trends (tenant)")

    @task(5)
    def list_notes(self) -> None:
        mentee = rng.choice(mentees)[0]
        query = f"mentee_id={mentee}&limit=50"
        if rng.random() < 0.5:
            query += f"&theme={rng.choice(THEMES)}&from={FIRST_DAY + timedelta(days=365)}"
        self._send("GET", f"/v1/notes?{query}", "GET /v1/notes")

    @task(5)
    def read_note(self) -> None:
        if not note_ids:
            self.list_notes()
            return
        self._send("GET", f"/v1/notes/{rng.choice(note_ids)}", "GET /v1/notes/{id}")


def figures(environment: Environment, elapsed: float) -> dict[str, Any]:
    routes = {
        entry.name: {
            "count": entry.num_requests,
            "errors": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
        }
        for entry in environment.stats.entries.values()
    }
    errors = [
        {"route": error.name, "error": str(error.error), "count": error.occurrences}
        for error in environment.stats.errors.values()
    ]
    return {"seconds": elapsed, "routes": routes, "errors": errors, **counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--samples", type=Path, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup(args.samples, args.seed)
    Mentoring.default_headers = {"Authorization": f"Bearer {args.key}"}
    # On stop, each user finishes the request it is waiting for instead of being cut off.
    environment = Environment(user_classes=[Mentoring], host=args.host, stop_timeout=120)
    runner = environment.create_local_runner()
    started = time.monotonic()
    runner.start(args.users, spawn_rate=args.users)
    gevent.sleep(args.seconds)
    runner.stop()
    elapsed = time.monotonic() - started
    runner.quit()
    args.out.write_text(json.dumps(figures(environment, elapsed)))


if __name__ == "__main__":
    main()
