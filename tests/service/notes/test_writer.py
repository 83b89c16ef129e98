"""The group-commit writer: waiting writes share a transaction; a failing one fails alone."""

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from service.auth.keys import Role, create_key
from service.notes.store import NewNote, NoteRecord, note_record
from service.notes.writer import NoteWriter
from service.storage.db import make_engine, make_sessions
from service.storage.migrate import upgrade
from service.storage.tables import Note, NoteTheme
from training.results import Evidence, TaggedNote, ThemeMatch

MATCH = ThemeMatch("confidence", 0.9, (Evidence("She spoke up.", 0, 13, 0.9),))
TAGGED = TaggedNote(matches=(MATCH,), margin=0.3, uncertain_theme="confidence")


def record(external_id: str, text: str = "She spoke up.") -> NoteRecord:
    note = NewNote(text=text, mentee_id="m", external_id=external_id)
    return note_record("writer", note, TAGGED, "v1")


def test_a_bad_write_in_a_group_fails_alone_and_the_rest_commit(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'writer.db'}")
    upgrade(engine)
    sessions = make_sessions(engine)
    create_key(sessions, tenant_id="writer", role=Role.ADMIN)
    writer = NoteWriter(sessions)
    try:
        with engine.connect() as blocker:
            blocker.exec_driver_sql("BEGIN IMMEDIATE")  # holds the write lock
            first = writer.submit([record("a")])  # the writer waits on the lock with this
            time.sleep(0.2)
            duplicate = writer.submit([record("a", "Other text.")])
            fine = writer.submit([record("b"), record("c")])
            blocker.rollback()
        first.result(timeout=30)
        with pytest.raises(IntegrityError):
            duplicate.result(timeout=30)
        fine.result(timeout=30)
    finally:
        writer.close()
    with sessions() as session:
        stored = session.scalars(select(Note.external_id).order_by(Note.external_id)).all()
        assert stored == ["a", "b", "c"]
        assert session.scalar(select(func.count()).select_from(NoteTheme)) == 3
    engine.dispose()


def test_a_write_cancelled_before_it_runs_is_not_written(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'writer.db'}")
    upgrade(engine)
    sessions = make_sessions(engine)
    create_key(sessions, tenant_id="writer", role=Role.ADMIN)
    writer = NoteWriter(sessions)
    try:
        with engine.connect() as blocker:
            blocker.exec_driver_sql("BEGIN IMMEDIATE")
            first = writer.submit([record("a")])
            time.sleep(0.2)
            gone = writer.submit([record("b")])
            assert gone.cancel()
            blocker.rollback()
        first.result(timeout=30)
        assert writer.submit([record("c")]).result(timeout=30) is None
    finally:
        writer.close()
    with sessions() as session:
        assert session.scalars(select(Note.external_id).order_by(Note.external_id)).all() == [
            "a",
            "c",
        ]
    engine.dispose()
