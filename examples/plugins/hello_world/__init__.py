"""Hello World: a MilkBottle plugin that greets people."""

from __future__ import annotations

from typing import Any

from milkbottle.plugin_system.core import PluginInterface, PluginMetadata

from .cli import build_cli

# What the host's install and discovery path reads (it never reads plugin.yaml);
# `milk sdk validate` also needs the explicit __name__. Same values as plugin.yaml.
__name__ = "hello_world"
__version__ = "1.2.0"
__description__ = "Greets people by name, in several languages."
__author__ = "Ada Example"
__email__ = "ada@example.com"
__license__ = "MIT"
__dependencies__ = ["click"]
__capabilities__ = ["greeting"]
__tags__ = ["example", "greeting"]

GREETINGS = {"en": "Hello", "fr": "Bonjour", "de": "Hallo", "es": "Hola"}


class HelloWorldPlugin(PluginInterface):
    """Greets people by name."""

    def __init__(self) -> None:
        self._initialized = False
        self._errors: list[dict[str, Any]] = []
        self._greeted = 0

    def get_cli(self) -> Any:
        return build_cli(self)

    def get_metadata(self) -> PluginMetadata:
        return PluginMetadata(
            name="hello_world",
            version="1.2.0",
            description="Greets people by name, in several languages.",
            author="Ada Example",
            email="ada@example.com",
            license="MIT",
            dependencies=["click>=8.1"],
            capabilities=["greeting"],
            tags=["example", "greeting"],
        )

    def validate_config(self, config: dict[str, Any]) -> bool:
        language = config.get("language", "en")
        return isinstance(language, str) and language in GREETINGS

    def health_check(self) -> dict[str, Any]:
        status = "healthy" if self._initialized else "initializing"
        return {"status": status, "greeted": self._greeted}

    async def initialize(self) -> bool:
        self._initialized = True
        return True

    async def shutdown(self) -> None:
        self._initialized = False

    def get_capabilities(self) -> list[str]:
        return ["greeting"]

    def get_dependencies(self) -> list[str]:
        return ["click>=8.1"]

    def get_config_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "language": {"type": "string", "enum": sorted(GREETINGS), "default": "en"},
            },
            "additionalProperties": False,
        }

    def get_performance_metrics(self) -> dict[str, float]:
        return {"greeted": float(self._greeted)}

    def get_error_log(self) -> list[dict[str, Any]]:
        return list(self._errors)

    def greet(self, name: str, language: str = "en") -> str:
        self._greeted += 1
        return f"{GREETINGS.get(language, GREETINGS['en'])}, {name}!"


plugin = HelloWorldPlugin()


def get_plugin_interface() -> HelloWorldPlugin:
    """The entry point the host calls."""
    return plugin


def get_cli() -> Any:
    return plugin.get_cli()


def health_check() -> dict[str, Any]:
    return plugin.health_check()
