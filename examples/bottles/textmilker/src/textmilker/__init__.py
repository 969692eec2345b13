"""textmilker: word and line counts, as a MilkBottle bottle.

The registry imports this module and calls ``get_metadata()`` (without it, it
would read ``__alias__``, ``__version__``, ... instead); ``get_cli()`` must
return a click command, on which ``milk bottle run`` calls ``.main(...)``.
``get_dependencies()`` lists import names: the health check imports each one.
"""

from __future__ import annotations

from typing import Any

__alias__ = "textmilker"
__version__ = "0.4.0"
__description__ = "Counts words and lines of text files."
__author__ = "Ada Example"
__email__ = "ada@example.com"

CONFIG_SCHEMA = {
    "type": "object",
    "properties": {
        "encoding": {"type": "string", "default": "utf-8"},
        "count_blank_lines": {"type": "boolean", "default": True},
    },
    "additionalProperties": False,
}


def get_cli() -> Any:
    """The bottle's typer app as a click command (imported lazily: listing bottles stays cheap)."""
    import typer

    from .cli import app

    return typer.main.get_command(app)


def get_metadata() -> dict[str, Any]:
    return {
        "name": __alias__,
        "version": __version__,
        "description": __description__,
        "author": __author__,
        "email": __email__,
        "capabilities": get_capabilities(),
        "dependencies": get_dependencies(),
        "config_schema": get_config_schema(),
    }


def get_capabilities() -> list[str]:
    return ["text_statistics"]


def get_dependencies() -> list[str]:
    return ["typer>=0.16.0"]  # import names: the registry's health check imports each one


def get_config_schema() -> dict[str, Any]:
    return CONFIG_SCHEMA


def validate_config(config: dict[str, Any]) -> bool:
    return isinstance(config.get("encoding", "utf-8"), str)


async def health_check() -> dict[str, Any]:  # MB213: the registry does not await it
    return {"status": "healthy", "version": __version__}
