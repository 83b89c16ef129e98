"""Re-tag benchmark: prints figures, asserts nothing.

Stores N notes (default 100,000; the sample notes' texts, cycled, spread over mentees,
cohorts and two years, tagged by the active model, rollups maintained) in a fresh
database, then re-tags all of them with a second version of the same model through
``service.notes.retag.retag`` (the code behind ``mentor-themes retag``). Prints:

- the baseline measured in the same run: tagging the same texts with ``tag_notes`` alone,
  no database (notes/s);
- re-tagging throughput (notes/s) and its ratio to the baseline: what reading the notes,
  replacing their themes and moving the rollups costs on top of the model.

Usage: python bench/retag.py [--notes 100000] [--batch 500] [--database-url URL]
(default: a SQLite file in a temporary folder)
"""

import argparse
import copy
import json
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from service.notes.retag import retag
from service.notes.store import NewNote, insert_notes, note_record
from service.storage.db import make_engine, make_sessions, transaction
from service.storage.migrate import upgrade
from service.storage.tenants import ensure_tenant
from training.registry import LoadedModel, load_model

ROOT = Path(__file__).resolve().parent.parent
TENANT = "bench"
CHUNK = 5_000


def sample_texts() -> list[str]:
    with (ROOT / "data/samples/notes.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle if line.strip()]


def load_notes(url: str, model: LoadedModel, count: int) -> float:
    """Store ``count`` notes tagged by ``model``; seconds taken."""
    texts = sample_texts()
    tagged = model.tagger.tag_notes(texts)
    chooser = random.Random(20261126)
    sessions = make_sessions(make_engine(url))
    started = time.perf_counter()
    with transaction(sessions) as session:
        ensure_tenant(session, TENANT)
    for offset in range(0, count, CHUNK):
        records = []
        for index in range(offset, min(count, offset + CHUNK)):
            which = index % len(texts)
            item = NewNote(
                text=texts[which],
                mentee_id=f"mentee-{chooser.randrange(5_000)}",
                mentor_id=f"mentor-{chooser.randrange(250)}",
                cohort=f"cohort-{chooser.randrange(40)}",
                session_date=date(2025, 1, 1) + timedelta(days=chooser.randrange(730)),
            )
            records.append(note_record(TENANT, item, tagged[which], model.version))
        with transaction(sessions) as session:
            insert_notes(session, records)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    model = load_model(ROOT / "models")
    newer = LoadedModel(
        version=f"{model.version}-retag-bench",
        tagger=copy.deepcopy(model.tagger),
        card=model.card,
        path=model.path,
    )
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'retag.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        loaded = load_notes(url, model, args.notes)
        dialect = make_engine(url).dialect.name
        print(f"database: {dialect}; stored {args.notes:,} notes in {loaded:.0f} s")

        texts = (sample_texts() * (20_000 // 4_800 + 1))[:20_000]
        started = time.perf_counter()
        for start in range(0, len(texts), args.batch):
            newer.tagger.tag_notes(texts[start : start + args.batch])
        bare = len(texts) / (time.perf_counter() - started)
        print(f"baseline: tag_notes alone, batches of {args.batch}: {bare:,.0f} notes/s")

        sessions = make_sessions(make_engine(url))
        started = time.perf_counter()
        result = retag(sessions, newer, tenant_id=TENANT, batch_size=args.batch)
        seconds = time.perf_counter() - started
        rate = result.retagged / seconds
        print(
            f"retag: {result.retagged:,} notes in {seconds:.1f} s = {rate:,.0f} notes/s "
            f"= {rate / bare:.2f}x the bare tagging rate"
        )


if __name__ == "__main__":
    main()
