"""Build data/transfer/dev.jsonl, the transfer development set, from its parts.

The parts: the notes (``data/transfer/notes/*.jsonl``, written by writers who wrote no
training notes), two independent labellings (``labels/a_*.jsonl`` and ``labels/b_*.jsonl``)
and the settlement of every note on which they differ (``labels/settled.jsonl``: the
labels, stances and the codebook rule applied). Prints the agreement before settlement.
Run from the repository root; a test rebuilds the file and compares.
"""

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sklearn.metrics import cohen_kappa_score

ROOT = Path("data/transfer")
THEMES = ("confidence", "resilience", "networking", "skills", "learning", "career")


def read(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def by_id(paths: list[Path]) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    for path in paths:
        for record in read(path):
            if record["id"] in records:
                sys.exit(f"{path}: {record['id']} labelled twice")
            records[record["id"]] = record
    return records


def agreement(notes: list[str], a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    lines = ["theme      kappa  A    B    both  stance agrees"]
    for theme in THEMES:
        yes_a = [theme in a[i]["labels"] for i in notes]
        yes_b = [theme in b[i]["labels"] for i in notes]
        both = [i for i in notes if theme in a[i]["labels"] and theme in b[i]["labels"]]
        same = sum(a[i]["stance"][theme] == b[i]["stance"][theme] for i in both)
        kappa = cohen_kappa_score(yes_a, yes_b)
        lines.append(
            f"{theme:<10} {kappa:.3f}  {sum(yes_a):<4} {sum(yes_b):<4} {len(both):<5} "
            f"{same}/{len(both)}"
        )
    return lines


def build() -> tuple[list[dict[str, Any]], list[str]]:
    notes = [n for path in sorted((ROOT / "notes").glob("*.jsonl")) for n in read(path)]
    a = by_id(sorted((ROOT / "labels").glob("a_*.jsonl")))
    b = by_id(sorted((ROOT / "labels").glob("b_*.jsonl")))
    settled_path = ROOT / "labels" / "settled.jsonl"
    settled = by_id([settled_path]) if settled_path.exists() else {}
    ids = [n["id"] for n in notes]
    for name, labelling in (("A", a), ("B", b)):
        if set(labelling) != set(ids):
            missing, extra = set(ids) - set(labelling), set(labelling) - set(ids)
            sys.exit(f"labelling {name}: missing {sorted(missing)[:5]}, extra {sorted(extra)[:5]}")
    out = []
    for note in notes:
        first, second = a[note["id"]], b[note["id"]]
        same = first["labels"] == second["labels"] and first["stance"] == second["stance"]
        if not same and note["id"] not in settled:
            sys.exit(f"{note['id']}: the labellings differ and labels/settled.jsonl lacks it")
        final = first if same else settled[note["id"]]
        out.append(
            {
                "id": note["id"],
                "text": note["text"],
                "labels": sorted(final["labels"]),
                "stance": {t: final["stance"][t] for t in sorted(final["labels"])},
                "source": note["genre"],
                "genre": note["genre"],
                "family": note["family"],
                "field": note["field"],
                "writer": note["writer"],
                "labels_a": first["labels"],
                "labels_b": second["labels"],
                "stance_a": first["stance"],
                "stance_b": second["stance"],
                "evidence_a": first.get("evidence", {}),
                "evidence_b": second.get("evidence", {}),
                "settled_by": None if same else settled[note["id"]]["rule"],
            }
        )
    return out, agreement(ids, a, b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dev.jsonl")
    out = parser.parse_args().out
    records, report = build()
    with out.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(records)} notes -> {out}")
    print("\n".join(report))


if __name__ == "__main__":
    main()
