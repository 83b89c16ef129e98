import json
from pathlib import Path

import pytest

from training.errors import SampleError
from training.samples import (
    SamplesFile,
    load_samples,
    load_weighted_samples,
    parse_samples_file,
)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def note(
    note_id: str, text: str = "We practised her pitch.", labels: list[str] | None = None
) -> str:
    return json.dumps({"id": note_id, "text": text, "labels": labels or ["skills"], "source": "s1"})


def test_load_jsonl_keeps_every_line_and_sorts_labels(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", [note("a", labels=["skills", "career"]), note("b")])
    samples = load_samples([path])
    assert [s.id for s in samples] == ["a", "b"]
    assert samples[0].labels == ("career", "skills")
    assert samples[0].source == "s1"


def test_bad_json_names_file_and_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", [note("a"), '{"id": "b", "text": '])
    with pytest.raises(SampleError, match=r"a\.jsonl:2: bad JSON"):
        load_samples([path])


def test_empty_text_is_refused(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", [note("a", text="   ")])
    with pytest.raises(SampleError, match=r"a\.jsonl:1: field 'text' of 'a' is empty"):
        load_samples([path])


def test_unknown_label_is_refused_when_a_label_set_is_given(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", [note("a", labels=["charisma"])])
    assert load_samples([path])[0].labels == ("charisma",)
    with pytest.raises(SampleError, match=r"a\.jsonl:1: unknown label 'charisma' of 'a'"):
        load_samples([path], label_set={"skills", "career"})


def test_duplicate_id_across_files_names_both_places(tmp_path: Path) -> None:
    first = write_lines(tmp_path / "a.jsonl", [note("x")])
    second = write_lines(tmp_path / "b.jsonl", [note("y"), note("x")])
    with pytest.raises(
        SampleError, match=r"b\.jsonl:2: duplicate id 'x' \(first seen at .*a\.jsonl:1\)"
    ):
        load_samples([first, second])


def test_labels_must_be_a_list_of_lower_case_ids(tmp_path: Path) -> None:
    bad_type = write_lines(tmp_path / "a.jsonl", ['{"id": "a", "text": "t", "labels": "skills"}'])
    with pytest.raises(SampleError, match="must be a list of strings"):
        load_samples([bad_type])
    bad_case = write_lines(tmp_path / "b.jsonl", [note("a", labels=["Skills"])])
    with pytest.raises(SampleError, match="not a lower-case id"):
        load_samples([bad_case])


def test_csv_labels_are_split_on_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        'text,labels\n"She rehearsed, then applied.",skills; career\nRescheduled to Friday,\n',
        encoding="utf-8",
    )
    samples = load_samples([path])
    assert [s.labels for s in samples] == [("career", "skills"), ()]
    assert samples[0].id == "notes-1"
    assert samples[0].source == "notes"


def test_csv_without_labels_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("text\nhello\n", encoding="utf-8")
    with pytest.raises(SampleError, match=r"notes\.csv:1: missing CSV column\(s\): labels"):
        load_samples([path])


def test_unsupported_extension_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SampleError, match="unsupported file type '.txt'"):
        (tmp_path / "a.txt").write_text("x")
        load_samples([tmp_path / "a.txt"])
    with pytest.raises(SampleError, match="file not found"):
        load_samples([tmp_path / "missing.jsonl"])


def test_samples_spec_takes_a_weight_after_the_last_colon() -> None:
    assert parse_samples_file("data/notes.jsonl") == SamplesFile(Path("data/notes.jsonl"), 1.0)
    assert parse_samples_file("corrections.jsonl:2.5") == SamplesFile(
        Path("corrections.jsonl"), 2.5
    )
    assert parse_samples_file("exports/a:b.jsonl:3") == SamplesFile(Path("exports/a:b.jsonl"), 3.0)


def test_samples_spec_naming_an_existing_file_keeps_its_colons(tmp_path: Path) -> None:
    existing = write_lines(tmp_path / "corrections:2", [note("a")])
    assert parse_samples_file(str(existing)) == SamplesFile(existing, 1.0)
    assert parse_samples_file(f"{existing}:4") == SamplesFile(existing, 4.0)


@pytest.mark.parametrize("weight", ["0", "-1", "nan", "inf", "abc", ""])
def test_samples_spec_refuses_a_weight_that_is_not_positive_and_finite(weight: str) -> None:
    with pytest.raises(SampleError) as caught:
        parse_samples_file(f"corrections.jsonl:{weight}")
    assert str(caught.value) == (
        f"corrections.jsonl:{weight}: weight {weight!r} must be a positive finite number"
    )


def test_weighted_samples_carry_the_weight_of_their_file(tmp_path: Path) -> None:
    base = write_lines(tmp_path / "a.jsonl", [note("a"), note("b")])
    corrections = write_lines(tmp_path / "b.jsonl", [note("note-1"), note("note-2"), note("c")])
    samples, weights = load_weighted_samples([SamplesFile(base), SamplesFile(corrections, 3.0)])
    assert [s.id for s in samples] == ["a", "b", "note-1", "note-2", "c"]
    assert weights == [1.0, 1.0, 3.0, 3.0, 3.0]
    assert samples == load_samples([base, corrections])


def test_family_comes_from_the_note_or_else_the_file(tmp_path: Path) -> None:
    tagged = json.dumps({"id": "a", "text": "t", "labels": [], "family": "health"})
    path = write_lines(tmp_path / "genres.jsonl", [tagged, note("b")])
    assert [s.family for s in load_samples([path])] == ["health", "genres"]
    bad = write_lines(tmp_path / "bad.jsonl", [json.dumps({**json.loads(note("c")), "family": 3})])
    with pytest.raises(SampleError, match="field 'family' of 'c'"):
        load_samples([bad])
