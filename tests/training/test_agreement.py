"""Agreement between two labellings: known kappa and alpha values, and mismatched files."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from training.agreement import agreement, pair_up
from training.cli import app
from training.errors import SampleError
from training.samples import Sample

runner = CliRunner()


def sample(note_id: str, *labels: str) -> Sample:
    return Sample(id=note_id, text=f"note {note_id}", labels=frozenset(labels), source="t")


def test_kappa_and_alpha_match_hand_computed_values() -> None:
    first = [sample("1", "career"), sample("2"), sample("3", "career"), sample("4", "career"),
             sample("5")]  # fmt: skip
    second = [sample("1", "career"), sample("2"), sample("3"), sample("4", "career"), sample("5")]
    [career, skills] = agreement(pair_up(first, second), ["career", "skills"])
    # observed agreement 4/5; expected (3/5*2/5 + 2/5*3/5) = 12/25 -> kappa = 0.32/0.52
    assert career.kappa == pytest.approx((0.8 - 0.48) / 0.52)
    assert career.alpha == pytest.approx(0.64)
    assert (career.both, career.only_first, career.only_second) == (2, 1, 0)
    assert skills.kappa is None and skills.alpha is None  # nobody used it: undefined


def test_files_must_label_the_same_notes() -> None:
    with pytest.raises(SampleError, match="only in the second"):
        pair_up([sample("1")], [sample("1"), sample("2")])


def test_agreement_command_prints_a_row_per_theme(tmp_path: Path) -> None:
    for name, labels in (("a", ["career"]), ("b", ["career", "skills"])):
        rows = [{"id": "n1", "text": "Applied for the lead role.", "labels": labels},
                {"id": "n2", "text": "Moved our call.", "labels": []}]  # fmt: skip
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = runner.invoke(app, ["agreement", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")])
    assert result.exit_code == 0, result.output
    assert "agreement on 2 notes" in result.output and "career" in result.output
    assert "1.000" in result.output  # career: perfect agreement
