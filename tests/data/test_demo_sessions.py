"""The demo timeline: the shape the issue asks for, and reproducible from its script."""

import json
import subprocess
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "service" / "notes" / "demo_sessions.jsonl"


def sessions() -> list[dict[str, str]]:
    return [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()]


def test_demo_has_enough_people_groups_and_months() -> None:
    rows = sessions()
    assert len({r["mentee_id"] for r in rows}) >= 40
    assert len({r["mentor_id"] for r in rows}) >= 8
    assert len({r["cohort"] for r in rows}) >= 3
    days = sorted(date.fromisoformat(r["session_date"]) for r in rows)
    assert (days[-1] - days[0]).days >= 180


def test_each_mentee_meets_every_one_to_three_weeks() -> None:
    by_mentee: dict[str, list[date]] = defaultdict(list)
    for row in sessions():
        by_mentee[row["mentee_id"]].append(date.fromisoformat(row["session_date"]))
    for mentee, days in by_mentee.items():
        days.sort()
        gaps = {(b - a).days for a, b in zip(days, days[1:], strict=False)}
        assert gaps <= {7, 14, 21}, f"{mentee} has gaps {sorted(gaps)}"


def test_the_stories_are_in_the_data() -> None:
    rows = sessions()
    ava = [r for r in rows if r["mentee_id"] == "mentee-01"]
    early = [r for r in ava if r["session_date"] < "2026-08-01"]
    late = [r for r in ava if r["session_date"] >= "2026-08-01"]
    share = lambda rs, t: sum(t in r["intended_themes"] for r in rs) / len(rs)  # noqa: E731
    assert share(early, "confidence") > 0.5 > share(late, "confidence")
    assert share(late, "career") > 0.5 > share(early, "career")
    platform = [r for r in rows if r["cohort"] == "platform-eng"]
    reorg = [r for r in platform if "2026-09-01" <= r["session_date"] < "2026-11-01"]
    before = [r for r in platform if r["session_date"] < "2026-09-01"]
    assert share(reorg, "resilience") > 2 * share(before, "resilience")


def test_the_script_rebuilds_the_committed_file(tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_demo_sessions.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == DEMO.read_bytes()
