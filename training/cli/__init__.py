"""The ``mentor-themes`` command line: train, select, evaluate and tag.

One module per command group; this one puts them together in one Typer app.
"""

import typer

from training.cli import agreement, evaluate, models, select, tag, train

app = typer.Typer(
    help="Tag mentoring session notes with growth themes; train and evaluate the tagger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Without a name, add_typer puts a Typer's commands at this level (Typer 0.15 and later).
for commands in (train.app, select.app, evaluate.app, tag.app, agreement.app):
    app.add_typer(commands)
app.add_typer(models.app, name="models")
