"""Output shared by every command: the consoles, the progress bar and the failure exit."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

# Piped output gets a fixed width, so tables are not squeezed to 80 columns.
console = Console() if sys.stdout.isatty() else Console(width=120)
errors = Console(stderr=True, soft_wrap=True)


@contextmanager
def progress_bar(total: int | None, description: str) -> Iterator[Any]:
    """A progress bar on a terminal (silent when output is piped); yields
    ``advance(done, total=None, what=description)``."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        disable=not errors.is_terminal,
    ) as progress:
        task = progress.add_task(description, total=total)

        def advance(done: int, new_total: int | None = None, what: str = description) -> None:
            progress.update(task, completed=done, total=new_total or total, description=what)

        yield advance


def fail(problem: Exception | str) -> NoReturn:
    """Print the problem on stderr and exit with status 2 (the README's status for errors)."""
    errors.print(f"[red]error:[/red] {problem}")
    raise typer.Exit(code=2)
