"""The failure exit every command shares."""

import pytest
import typer

from training.cli.console import fail
from training.errors import SampleError


@pytest.mark.parametrize(
    ("problem", "shown"),
    [
        ("--out must be a .jsonl file", "--out must be a .jsonl file"),
        (SampleError("notes.jsonl", 3, "field 'text' is empty"), "notes.jsonl:3: field 'text'"),
    ],
)
def test_fail_prints_the_problem_on_stderr_and_exits_with_status_2(
    problem: Exception | str, shown: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(typer.Exit) as caught:
        fail(problem)
    assert caught.value.exit_code == 2
    captured = capsys.readouterr()
    assert f"error: {shown}" in captured.err and captured.out == ""
