"""Loading the demo timeline (``demo_sessions.jsonl``, package data beside this module) into a
tenant, tagged with the active model, so a newcomer's dashboard has months of sessions to
show."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from service.notes.store import NewNote, insert_notes, note_record, plan_ingest
from service.storage.db import transaction
from service.storage.tables import Note
from service.storage.tenants import ensure_tenant
from training.registry import LoadedModel

DEMO_SESSIONS = resources.files(__package__) / "demo_sessions.jsonl"
CHUNK = 500


@dataclass(frozen=True)
class LoadResult:
    stored: int
    already_there: int


def read_sessions(source: Traversable) -> Iterator[NewNote]:
    """The sessions of a JSON Lines file (a path, or the packaged timeline)."""
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            yield NewNote(
                text=row["text"],
                mentee_id=row["mentee_id"],
                external_id=row["external_id"],
                mentor_id=row.get("mentor_id"),
                cohort=row.get("cohort"),
                session_date=date.fromisoformat(row["session_date"]),
                author_role=row.get("author_role"),
            )
        except (ValueError, KeyError) as error:
            raise ValueError(f"{source}:{number}: not a demo session ({error})") from error


def tenant_has_notes(sessions: sessionmaker[Session], tenant_id: str) -> bool:
    with sessions() as session:
        return bool(session.scalar(select(exists().where(Note.tenant_id == tenant_id))))


def load(
    sessions: sessionmaker[Session],
    model: LoadedModel,
    tenant_id: str,
    source: Traversable = DEMO_SESSIONS,
) -> LoadResult:
    """Tag and store every session not stored yet (by external id), in chunks."""
    items = list(read_sessions(source))
    stored = already = 0
    with transaction(sessions) as session:
        ensure_tenant(session, tenant_id)
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        with transaction(sessions) as session:
            plan = plan_ingest(session, tenant_id, chunk)
            new = [chunk[index] for index in plan.new]
            tags = model.tagger.tag_notes([item.text for item in new]) if new else []
            insert_notes(
                session,
                [
                    note_record(tenant_id, item, tagged, model.version)
                    for item, tagged in zip(new, tags, strict=True)
                ],
            )
        stored += len(new)
        already += len(chunk) - len(new)
    return LoadResult(stored=stored, already_there=already)
