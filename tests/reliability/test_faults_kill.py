"""SIGKILL in the middle of mixed traffic (single notes, batches, corrections of notes
already stored), on SQLite and PostgreSQL. After a restart every acknowledged note and
correction is there, nothing is half-written: a batch is all there or not at all, each
note's theme rows match its model answer or its reviewer's themes, and the trend rollups
equal a recount."""

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from service.auth.keys import Role, create_key
from service.storage.db import make_engine, make_sessions
from service.storage.tables import Note
from tests.service.servers import GONE, call, free_port, kill_server, start_server
from tests.service.trends.test_rollups import TEXTS, THEMES, assert_rollups_equal_a_recount

SETTINGS = {"MENTOR_THEMES_LOG_LEVEL": "info"}
SINGLE_WRITERS = 2
BATCH_SIZE = 5
# Kill once this much has been acknowledged (all streams are still sending then).
ENOUGH = {"notes": 60, "batches": 8, "corrections": 25}


@dataclass
class Ledger:
    """What the clients sent and what the server acknowledged."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    notes: dict[str, tuple[str, str]] = field(default_factory=dict)  # external id -> id, text
    batches: list[list[str]] = field(default_factory=list)  # external ids of each batch sent
    acked_batches: set[int] = field(default_factory=set)
    corrections: dict[str, list[str]] = field(default_factory=dict)  # note id -> last acked
    in_flight: dict[str, list[str]] = field(default_factory=dict)  # note id -> sent, no answer
    corrections_acked: int = 0
    unexpected: list[str] = field(default_factory=list)
    enough: threading.Event = field(default_factory=threading.Event)

    def check_enough(self) -> None:
        counts = {
            "notes": len(self.notes),
            "batches": len(self.acked_batches),
            "corrections": self.corrections_acked,
        }
        if all(counts[name] >= wanted for name, wanted in ENOUGH.items()):
            self.enough.set()


def note_body(chooser: random.Random, external_id: str) -> dict[str, Any]:
    return {
        "text": f"{chooser.choice(TEXTS)} ({external_id})",
        "external_id": external_id,
        "mentee_id": f"m{chooser.randrange(5)}",
        "cohort": f"c{chooser.randrange(2)}",
        "session_date": f"2026-{chooser.randrange(1, 13):02d}-{chooser.randrange(1, 29):02d}",
    }


def traffic(port: int, key: str, ledger: Ledger) -> list[Callable[[], None]]:
    """The client loops; each returns once the server is gone."""

    def single(writer: int) -> Callable[[], None]:
        def run() -> None:
            chooser = random.Random(writer)
            for n in range(100_000):
                body = note_body(chooser, f"s{writer}-{n}")
                try:
                    reply = call(port, "POST", "/v1/notes", key, body)
                except GONE:
                    return
                with ledger.lock:
                    if reply.status in (200, 201):
                        ledger.notes[body["external_id"]] = (reply.body["id"], body["text"])
                        ledger.check_enough()
                    else:
                        ledger.unexpected.append(f"POST /v1/notes {reply.status}")

        return run

    def batches() -> None:
        chooser = random.Random(99)
        for n in range(100_000):
            notes = [note_body(chooser, f"b{n}-{i}") for i in range(BATCH_SIZE)]
            with ledger.lock:
                ledger.batches.append([note["external_id"] for note in notes])
            try:
                reply = call(port, "POST", "/v1/notes/batch", key, {"notes": notes})
            except GONE:
                return
            with ledger.lock:
                statuses = [item["status"] for item in reply.body.get("results", [])]
                if reply.status == 200 and statuses == [201] * BATCH_SIZE:
                    ledger.acked_batches.add(n)
                    for note, item in zip(notes, reply.body["results"], strict=True):
                        ledger.notes[note["external_id"]] = (item["note"]["id"], note["text"])
                    ledger.check_enough()
                else:
                    ledger.unexpected.append(f"POST /v1/notes/batch {reply.status} {statuses}")

    def corrections() -> None:
        chooser = random.Random(7)
        while True:
            with ledger.lock:
                stored = sorted(note_id for note_id, _ in ledger.notes.values())
            if not stored:
                time.sleep(0.05)
                continue
            note_id = chooser.choice(stored[-40:])  # recent notes, so some get several
            themes = sorted(chooser.sample(THEMES, chooser.randrange(4)))
            with ledger.lock:
                ledger.in_flight[note_id] = themes
            try:
                reply = call(port, "PUT", f"/v1/notes/{note_id}/themes", key, {"themes": themes})
            except GONE:
                return
            with ledger.lock:
                del ledger.in_flight[note_id]
                if reply.status == 200:
                    ledger.corrections[note_id] = themes
                    ledger.corrections_acked += 1
                    ledger.check_enough()
                else:
                    ledger.unexpected.append(f"PUT themes {reply.status}")

    return [*(single(writer) for writer in range(SINGLE_WRITERS)), batches, corrections]


def model_answers(port: int, key: str, texts: list[str]) -> list[list[str]]:
    """The themes the served model gives each text now (it is deterministic)."""
    answers = []
    for start in range(0, len(texts), 100):
        reply = call(port, "POST", "/v1/tag", key, {"texts": texts[start : start + 100]})
        assert reply.status == 200, reply.body
        answers += [
            sorted(m["theme"] for m in result["themes"]) for result in reply.body["results"]
        ]
    return answers


def test_acknowledged_notes_batches_and_corrections_survive_sigkill(
    database_url: str, models_dir: Path, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    tenant = f"kill-{uuid.uuid4().hex[:8]}"
    key = create_key(sessions, tenant_id=tenant, role=Role.ADMIN).key
    port, log = free_port(), tmp_path / "server.log"
    server = start_server(database_url, models_dir, port, log, settings=SETTINGS)
    ledger = Ledger()
    threads = [threading.Thread(target=loop) for loop in traffic(port, key, ledger)]
    try:
        for thread in threads:
            thread.start()
        assert ledger.enough.wait(timeout=120), (
            f"too little acknowledged: {len(ledger.notes)} notes, {len(ledger.acked_batches)} "
            f"batches, {ledger.corrections_acked} corrections; {ledger.unexpected[:5]}"
        )
    finally:
        kill_server(server)
        for thread in threads:
            thread.join(timeout=60)
    assert ledger.unexpected == [], "requests failed before the kill"

    server = start_server(database_url, models_dir, port, log, settings=SETTINGS)
    try:
        # Every acknowledged note and correction, through the API.
        for external_id, (note_id, text) in ledger.notes.items():
            reply = call(port, "GET", f"/v1/notes/{note_id}", key)
            assert reply.status == 200, f"acknowledged note {external_id} lost after SIGKILL"
            assert reply.body["text"] == text and reply.body["external_id"] == external_id
            review = reply.body["review"]
            # The last acknowledged correction (None: none), or one cut off by the kill.
            expected = [ledger.corrections.get(note_id)]
            if note_id in ledger.in_flight:
                expected.append(ledger.in_flight[note_id])
            got = None if review is None else review["themes"]
            assert got in expected, f"note {external_id} has themes {got}, expected {expected}"
        # Nothing half-written, from the database.
        with sessions() as session:
            notes = list(session.scalars(select(Note).where(Note.tenant_id == tenant)))
            answers = model_answers(port, key, [note.text or "" for note in notes])
            for note, answer in zip(notes, answers, strict=True):
                rows = sorted(row.theme for row in note.themes)
                reviewed = {note.reviewed_by is None, note.reviewed_at is None}
                assert len(reviewed) == 1, f"note {note.external_id} half reviewed"
                if note.reviewed_at is None:
                    assert note.model_themes is None and rows == answer, note.external_id
                else:
                    assert note.model_themes is not None
                    assert sorted(m["theme"] for m in note.model_themes) == answer
                    sent = (ledger.corrections.get(note.id), ledger.in_flight.get(note.id))
                    assert rows in [themes for themes in sent if themes is not None]
        present = {note.external_id for note in notes}
        for index, batch in enumerate(ledger.batches):
            found = sum(external_id in present for external_id in batch)
            expected = (BATCH_SIZE,) if index in ledger.acked_batches else (0, BATCH_SIZE)
            assert found in expected, f"batch {index}: {found} of {BATCH_SIZE} notes stored"
        assert assert_rollups_equal_a_recount(sessions, tenant) == len(notes)
    finally:
        kill_server(server)
        engine.dispose()
    reviewed_now = sum(note.reviewed_at is not None for note in notes)
    print(
        f"acknowledged {len(ledger.notes)} notes ({len(ledger.acked_batches)} batches), "
        f"{ledger.corrections_acked} corrections of {len(ledger.corrections)} notes; "
        f"after restart {len(notes)} notes stored, {reviewed_now} reviewed; lost 0"
    )
