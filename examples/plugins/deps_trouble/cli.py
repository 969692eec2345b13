"""The plugin's command line."""

from __future__ import annotations

from typing import Any

import click
import requests

QUOTES_URL = "https://quotes.example.com/today"


def build_cli() -> Any:
    @click.command(name="quote")
    def quote() -> None:
        """Print the quote of the day."""
        response = requests.get(QUOTES_URL, timeout=10)
        response.raise_for_status()
        click.echo(response.json().get("quote", ""))

    return quote
