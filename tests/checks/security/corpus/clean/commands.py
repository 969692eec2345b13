# permissions: env
"""Command line of the plugin: the words eval, exec and subprocess are only help text."""

from __future__ import annotations

import os
import textwrap

import click

# Security note: this module never calls eval(), exec() or subprocess.run();
# commands only format text.
HELP = textwrap.dedent(
    """
    Examples:
      milkbottle words count README.md
      milkbottle words eval "a b c"   # counts words; does not eval anything
    """
)


@click.group(help=HELP)
def words() -> None:
    """Word tools."""


@words.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def count(path: str) -> None:
    """Count the words in PATH."""
    with open(path, encoding="utf-8") as handle:
        click.echo(len(handle.read().split()))


@words.command(name="eval")
@click.argument("text")
def evaluate(text: str) -> None:
    """Count the words in TEXT (the command is called `eval`)."""
    width = int(os.environ.get("COLUMNS", "80"))
    click.echo(textwrap.shorten(f"{len(text.split())} words", width=width))
