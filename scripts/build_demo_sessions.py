"""Builds service/notes/demo_sessions.jsonl: eight months of mentoring sessions for a demo
tenant, with texts taken from the labelled samples. Seeded: the same samples give the same
file.

The cast: 45 mentees in three cohorts, 9 mentors with 5 mentees each, a session every one
to three weeks from April to November 2026. Each session's themes are drawn from
propensities that move over time, so the dashboard has something real to show:

- mentee-01 (Ava) works on confidence until July, then her sessions turn to career moves;
- the platform-eng cohort goes through a reorg in September: resilience spikes for two
  months and fades;
- the summer-2026 cohort goes to a conference in July: networking rises after it;
- everyone else keeps a steady mix, with one session in ten about logistics only.

Usage: python scripts/build_demo_sessions.py [--out service/notes/demo_sessions.jsonl]
"""

import argparse
import json
import random
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 2026
START, END = date(2026, 4, 1), date(2026, 11, 20)
THEMES = ("confidence", "resilience", "networking", "skills", "learning", "career")
COHORTS = ("spring-2026", "summer-2026", "platform-eng")
BASELINE = {"confidence": 0.25, "resilience": 0.2, "networking": 0.2,
            "skills": 0.3, "learning": 0.3, "career": 0.25}  # fmt: skip
LOGISTICS_ONLY = 0.1


def propensities(mentee: str, cohort: str, day: date) -> dict[str, float]:
    """How likely each theme is in this mentee's session on this day."""
    odds = dict(BASELINE)
    if mentee == "mentee-01":
        early = day < date(2026, 8, 1)
        odds["confidence"] = 0.85 if early else 0.1
        odds["career"] = 0.05 if early else 0.85
    if cohort == "platform-eng" and date(2026, 9, 1) <= day < date(2026, 11, 1):
        odds["resilience"] = 0.8
    if cohort == "summer-2026" and day >= date(2026, 7, 15):
        odds["networking"] = 0.6
    return odds


def build(samples: list[dict[str, object]], chooser: random.Random) -> list[dict[str, object]]:
    by_labels: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for sample in samples:
        by_labels[tuple(sorted(sample["labels"]))].append(str(sample["text"]))  # type: ignore[arg-type]
    for texts in by_labels.values():
        chooser.shuffle(texts)
    used: dict[tuple[str, ...], int] = defaultdict(int)

    def text_for(themes: tuple[str, ...]) -> str:
        # The exact theme set when the samples have it, else the strongest theme alone.
        key = themes if by_labels.get(themes) else themes[:1]
        pool = by_labels[key]
        used[key] += 1
        return pool[used[key] % len(pool)]

    mentors = [f"mentor-{i:02d}" for i in range(1, 10)]
    sessions = []
    for number in range(1, 46):
        mentee = f"mentee-{number:02d}"
        cohort = COHORTS[(number - 1) // 15]
        mentor = mentors[(number - 1) % 9]
        day = START + timedelta(days=chooser.randrange(0, 14))
        while day <= END:
            odds = propensities(mentee, cohort, day)
            if chooser.random() < LOGISTICS_ONLY:
                themes: tuple[str, ...] = ()
            else:
                drawn = [t for t in THEMES if chooser.random() < odds[t]]
                drawn.sort(key=lambda t: -odds[t])
                themes = tuple(sorted(drawn[:2])) if drawn else (max(odds, key=odds.__getitem__),)
            sessions.append(
                {
                    "external_id": f"demo-{mentee}-{day.isoformat()}",
                    "mentee_id": mentee,
                    "mentor_id": mentor,
                    "cohort": cohort,
                    "session_date": day.isoformat(),
                    "author_role": "mentor" if chooser.random() < 0.85 else "mentee",
                    "text": text_for(themes),
                    "intended_themes": list(themes),
                }
            )
            day += timedelta(days=chooser.choice((7, 7, 14, 14, 21)))
    sessions.sort(key=lambda s: (s["session_date"], s["mentee_id"]))
    return sessions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=Path, default=ROOT / "data/samples/notes.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "service/notes/demo_sessions.jsonl")
    args = parser.parse_args()
    samples = [json.loads(line) for line in args.samples.read_text(encoding="utf-8").splitlines()]
    sessions = build(samples, random.Random(SEED))
    with args.out.open("w", encoding="utf-8") as handle:
        for session in sessions:
            handle.write(json.dumps(session, ensure_ascii=False) + "\n")
    print(f"{len(sessions)} sessions -> {args.out}")


if __name__ == "__main__":
    main()
