"""Group commit: concurrent requests' notes are written in one transaction.

A commit costs a disk flush (SQLite with synchronous=FULL, PostgreSQL's WAL flush); one per
posted note caps single-note posts at the disk's flush rate. A writer thread takes every
write waiting, inserts them together and commits once, then answers each request, so a
response still means its notes are committed. If the group fails (another request took an
external id meanwhile), each write is retried on its own so only the culprit fails."""

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from service.db import transaction
from service.notes import NoteRecord, insert_notes


@dataclass
class _Write:
    records: Sequence[NoteRecord]
    future: "Future[None]"


_STOP = object()


class NoteWriter:
    def __init__(self, sessions: sessionmaker[Session], *, max_notes: int = 2000) -> None:
        self._sessions = sessions
        self._max_notes = max_notes
        self._writes: queue.SimpleQueue[_Write | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="note-writer", daemon=True)
        self._thread.start()

    def submit(self, records: Sequence[NoteRecord]) -> "Future[None]":
        """Queue notes for writing; the future resolves once they are committed."""
        future: Future[None] = Future()
        if not records:
            future.set_result(None)
        else:
            self._writes.put(_Write(records, future))
        return future

    def close(self) -> None:
        self._writes.put(_STOP)
        self._thread.join(timeout=30)

    def _take_group(self) -> tuple[list[_Write], bool]:
        first = self._writes.get()
        if first is _STOP:
            return [], True
        assert isinstance(first, _Write)
        group, size = [first], len(first.records)
        while size < self._max_notes:
            try:
                write = self._writes.get_nowait()
            except queue.Empty:
                break
            if write is _STOP:
                self._writes.put(_STOP)
                break
            assert isinstance(write, _Write)
            group.append(write)
            size += len(write.records)
        return group, False

    def _commit(self, group: Sequence[_Write]) -> None:
        with transaction(self._sessions) as session:
            insert_notes(session, [record for write in group for record in write.records])

    def _run(self) -> None:
        while True:
            group, stop = self._take_group()
            if stop:
                return
            try:
                self._commit(group)
            except Exception as error:  # noqa: BLE001 - retried alone, or handed to the caller
                if len(group) == 1:
                    group[0].future.set_exception(error)
                    continue
                for write in group:
                    try:
                        self._commit([write])
                    except Exception as alone:  # noqa: BLE001
                        write.future.set_exception(alone)
                    else:
                        write.future.set_result(None)
                continue
            for write in group:
                write.future.set_result(None)
