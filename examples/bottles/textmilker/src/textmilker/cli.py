"""The bottle's command line."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Word and line counts.")


@app.command()
def count(path: Path, encoding: str = "utf-8") -> None:
    """Print the number of lines and words of PATH."""
    text = path.read_text(encoding=encoding)
    typer.echo(f"{len(text.splitlines())} lines, {len(text.split())} words")
