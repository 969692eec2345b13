"""The plugin's command line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from . import HelloWorldPlugin


def build_cli(plugin: HelloWorldPlugin) -> Any:
    @click.command(name="hello")
    @click.argument("name", default="World")
    @click.option("--language", "-l", default="en", help="Language of the greeting.")
    def hello(name: str, language: str) -> None:
        """Greet NAME."""
        click.echo(plugin.greet(name, language))

    return hello
