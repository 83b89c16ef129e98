"""Rollups always equal a recount from the raw notes, after any mix of writes and deletions."""

import random
from collections import Counter
from datetime import date, timedelta
from itertools import combinations
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.auth.keys import Role
from service.storage.tables import (
    Note,
    TrendMentee,
    TrendPair,
    TrendPeriod,
    TrendTheme,
    TrendVersion,
)
from service.trends.counting import from_notes, from_rollups
from service.trends.periods import Interval, period_start
from service.trends.scope import Scope
from tests.service.conftest import Api

THEMES = ["confidence", "resilience", "networking", "skills", "learning", "career"]
TEXTS = [
    "She spoke up in the design review and felt confident.",
    "We moved the session to Thursday.",
    "He bounced back after the reorg and asked about the staff role.",
    "We practised SQL window functions and she is reading a book on statistics.",
    "She met three people at the meetup and followed up with two.",
    "He applied for the team lead position after our talk about his career.",
]


def recount(notes: list[Note]) -> dict[str, Counter[tuple[Any, ...]]]:
    """The rollups as they should be, counted from the notes themselves."""
    counts: dict[str, Counter[tuple[Any, ...]]] = {
        "periods": Counter(), "themes": Counter(), "pairs": Counter(), "mentees": Counter(),
        "versions": Counter(),
    }  # fmt: skip
    for note in notes:
        scopes = [("tenant", "")]
        if note.cohort:
            scopes.append(("cohort", note.cohort))
        themes = sorted({row.theme for row in note.themes})
        for interval in Interval:
            for kind, scope_id in scopes:
                key = (kind, scope_id, interval.value, period_start(note.session_date, interval))
                counts["periods"][key] += 1
                for theme in themes:
                    counts["themes"][(*key, theme)] += 1
                for pair in combinations(themes, 2):
                    counts["pairs"][(*key, *pair)] += 1
                if kind in ("cohort", "tenant"):
                    counts["mentees"][(*key, note.mentee_id)] += 1
                counts["versions"][(*key, note.model_version)] += 1
    return counts


def stored(api: Api, tenant: str) -> tuple[dict[str, Counter[tuple[Any, ...]]], Counter[Any]]:
    return stored_in(api.state.sessions, tenant)


def stored_in(
    sessions: sessionmaker[Session], tenant: str
) -> tuple[dict[str, Counter[tuple[Any, ...]]], Counter[Any]]:
    """The tenant's rollup rows as recount() counts them, and each period's mentee count."""
    with sessions() as session:

        def rows(table: Any, *extra: str) -> Counter[tuple[Any, ...]]:
            query = select(table).where(table.tenant_id == tenant)
            return Counter(
                {
                    (r.scope_kind, r.scope_id, r.period_kind, r.period_start,
                     *(getattr(r, name) for name in extra)): r.notes
                    for r in session.scalars(query)
                }
            )  # fmt: skip

        periods = session.scalars(select(TrendPeriod).where(TrendPeriod.tenant_id == tenant)).all()
        mentees = Counter(
            {(p.scope_kind, p.scope_id, p.period_kind, p.period_start): p.mentees for p in periods}
        )
        return {
            "periods": rows(TrendPeriod),
            "themes": rows(TrendTheme, "theme"),
            "pairs": rows(TrendPair, "theme_a", "theme_b"),
            "mentees": rows(TrendMentee, "mentee_id"),
            "versions": rows(TrendVersion, "model_version"),
        }, mentees


def test_rollups_equal_a_recount_after_random_writes_reviews_and_deletions(api: Api) -> None:
    tenant = api.tenant()
    key = api.key(tenant, Role.ADMIN)
    chooser = random.Random(20261126)
    start = date(2026, 1, 1)

    def random_note() -> dict[str, Any]:
        note: dict[str, Any] = {
            "text": chooser.choice(TEXTS) + f" ({chooser.random():.6f})",
            "mentee_id": f"m{chooser.randrange(6)}",
            "session_date": str(start + timedelta(days=chooser.randrange(200))),
        }
        if chooser.random() < 0.8:
            note["mentor_id"] = f"mentor{chooser.randrange(3)}"
        if chooser.random() < 0.7:
            note["cohort"] = f"c{chooser.randrange(2)}"
        return note

    ids: list[str] = []
    for _ in range(80):
        action = chooser.random()
        if action < 0.45:
            posted = api.post_note(key, **random_note())
            assert posted.status_code == 201, posted.text
            ids.append(posted.json()["id"])
        elif action < 0.7:
            notes = [random_note() for _ in range(chooser.randrange(1, 12))]
            response = api.client.post(
                "/v1/notes/batch", json={"notes": notes}, headers=api.headers(key)
            )
            assert [r["status"] for r in response.json()["results"]] == [201] * len(notes)
            ids += [r["note"]["id"] for r in response.json()["results"]]
        elif action < 0.8 and ids:
            themes = chooser.sample(THEMES, chooser.randrange(4))
            reviewed = api.client.put(
                f"/v1/notes/{chooser.choice(ids)}/themes",
                json={"themes": themes},
                headers=api.headers(key),
            )
            assert reviewed.status_code in (200, 404), reviewed.text  # 404: mentee erased
        elif action < 0.92 and ids:
            victim = ids.pop(chooser.randrange(len(ids)))
            deleted = api.client.delete(f"/v1/notes/{victim}", headers=api.headers(key))
            assert deleted.status_code in (204, 404)  # 404: its mentee was erased already
        else:
            erased = api.client.delete(
                f"/v1/mentees/m{chooser.randrange(6)}", headers=api.headers(key)
            )
            assert erased.status_code == 200
    assert assert_rollups_equal_a_recount(api.state.sessions, tenant) > 20


def assert_rollups_equal_a_recount(sessions: sessionmaker[Session], tenant: str) -> int:
    """Check every rollup table of ``tenant`` against a recount; returns the notes counted."""
    with sessions() as session:
        notes = list(session.scalars(select(Note).where(Note.tenant_id == tenant)))
    expected = recount(notes)
    actual, mentees = stored_in(sessions, tenant)
    for table in expected:
        assert actual[table] == expected[table], f"{table} rollup differs from a recount"
    distinct: dict[tuple[Any, ...], set[str]] = {}
    for key_and_mentee in expected["mentees"]:
        distinct.setdefault(key_and_mentee[:4], set()).add(key_and_mentee[4])
    group_periods = {k: v for k, v in mentees.items() if k[0] in ("cohort", "tenant")}
    assert group_periods == {k: len(v) for k, v in distinct.items()}
    return len(notes)


def test_wide_scope_trends_from_rollups_equal_sql_counts_over_the_notes(api: Api) -> None:
    tenant = api.tenant()
    key = api.key(tenant, Role.ADMIN)
    chooser = random.Random(7)
    notes = [
        {
            "text": chooser.choice(TEXTS) + f" {i}",
            "mentee_id": f"m{chooser.randrange(8)}",
            "cohort": f"c{chooser.randrange(2)}",
            "session_date": str(date(2026, 1, 1) + timedelta(days=chooser.randrange(120))),
        }
        for i in range(40)
    ]
    api.client.post("/v1/notes/batch", json={"notes": notes}, headers=api.headers(key))
    first, last = date(2025, 12, 29), date(2026, 5, 31)
    with api.state.sessions() as session:
        for scope in (
            Scope("tenant", tenant),
            Scope("cohort", tenant, "c0"),
            Scope("cohort", tenant, "c1"),
        ):
            for interval in Interval:
                rolled = from_rollups(session, scope, interval, first, last)
                counted = from_notes(session, scope, interval, first, last)
                assert {k: v[0] for k, v in rolled.totals.items()} == {
                    k: v[0] for k, v in counted.totals.items()
                }
                assert rolled.themes == counted.themes
                assert rolled.pairs == counted.pairs
