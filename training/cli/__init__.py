"""The ``mentor-themes`` command line: train, select, evaluate and tag.

One module per command group; this one puts them together in one Typer app.
"""

import typer

from training.cli import agreement, evaluate, models, select, tag, train
from training.cli.console import progress_bar

__all__ = ["app", "progress_bar"]

app = typer.Typer(
    help="Tag mentoring session notes with growth themes; train and evaluate the tagger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.registered_commands.extend(train.app.registered_commands)
app.registered_commands.extend(select.app.registered_commands)
app.registered_commands.extend(evaluate.app.registered_commands)
app.registered_commands.extend(tag.app.registered_commands)
app.registered_commands.extend(agreement.app.registered_commands)
app.add_typer(models.app, name="models")
