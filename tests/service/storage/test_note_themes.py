"""How a note's themes are stored and read back for a set of notes."""

import uuid
from typing import Any

from sqlalchemy import select

from service.notes.store import NewNote, ThemeRecord, insert_notes, note_record
from service.storage.db import transaction
from service.storage.note_themes import theme_dict, theme_row, themes_of
from service.storage.tables import Note
from service.storage.tenants import ensure_tenant
from training.results import Evidence, TaggedNote, ThemeMatch

EVIDENCE = [{"start": 0, "end": 5, "score": 0.9}]


def tagged(*themes: str) -> TaggedNote:
    matches = tuple(ThemeMatch(t, 0.7, (Evidence("Spoke", 0, 5, 0.9),)) for t in themes)
    return TaggedNote(matches=matches, margin=0.1, uncertain_theme=themes[0] if themes else "")


def test_a_theme_row_is_its_note_and_the_stored_theme() -> None:
    record = ThemeRecord(theme="confidence", score=0.8, evidence=EVIDENCE)
    assert theme_dict(record) == {"theme": "confidence", "score": 0.8, "evidence": EVIDENCE}
    assert theme_row(7, record) == {"note_seq": 7} | theme_dict(record)


def test_themes_of_gives_each_notes_themes_and_leaves_out_notes_without(sessions: Any) -> None:
    tenant = f"tenant-{uuid.uuid4().hex[:10]}"
    items = [NewNote(text=f"Note {i}.", mentee_id="m") for i in range(3)]
    records = [
        note_record(tenant, item, tagged(*themes), "v1")
        for item, themes in zip(items, [("confidence", "career"), (), ("skills",)], strict=True)
    ]
    with transaction(sessions) as session:
        ensure_tenant(session, tenant)
        insert_notes(session, records)
    with sessions() as session:
        seqs = {
            note_id: seq
            for note_id, seq in session.execute(
                select(Note.id, Note.seq).where(Note.tenant_id == tenant)
            )
        }
        found = themes_of(session, list(seqs.values()))
        assert themes_of(session, []) == {}
    first, second, third = (seqs[record.id] for record in records)
    assert sorted(found[first]) == ["career", "confidence"]
    assert second not in found
    assert found[third] == ["skills"]
