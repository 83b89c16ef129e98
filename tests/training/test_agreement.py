"""Agreement between two labellings: known kappa and alpha values, and mismatched files."""

import pytest

from training.agreement import agreement, pair_up
from training.errors import SampleError
from training.samples import Sample


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
