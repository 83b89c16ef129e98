"""Group commit: concurrent requests' notes are written in one transaction.

A commit costs a disk flush (SQLite with synchronous=FULL, PostgreSQL's WAL flush); one per
posted note caps single-note posts at the disk's flush rate. A writer thread takes every
write waiting, inserts them together and commits once, then answers each request, so a
response still means its notes are committed. If the group fails (another request took an
external id meanwhile), each write is retried on its own so only the culprit fails; if the
database is unreachable or timed out, every write of the group fails at once (retrying each
alone would only wait for the database again) and the thread carries on with the next."""

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from service.notes.store import NoteRecord, insert_notes
from service.storage.db import transaction
from service.tagging.batching import STOP, drain


@dataclass
class _Write:
    records: Sequence[NoteRecord]
    future: "Future[None]"


def _write_size(write: _Write) -> int:
    return len(write.records)


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
        self._writes.put(STOP)
        self._thread.join(timeout=30)

    def _commit(self, group: Sequence[_Write]) -> None:
        with transaction(self._sessions) as session:
            insert_notes(session, [record for write in group for record in write.records])

    def _run(self) -> None:
        while True:
            group, stop = drain(self._writes, self._max_notes, _write_size)
            if stop:
                return
            try:
                self._commit(group)
            except (OperationalError, InterfaceError, PoolTimeout) as error:
                for write in group:
                    write.future.set_exception(error)
            except Exception:  # noqa: BLE001 - retried alone, so only the culprit fails
                for write in group:
                    self._commit_alone(write)
            else:
                for write in group:
                    write.future.set_result(None)

    def _commit_alone(self, write: _Write) -> None:
        try:
            self._commit([write])
        except Exception as error:  # noqa: BLE001 - handed to the request that sent it
            write.future.set_exception(error)
        else:
            write.future.set_result(None)
