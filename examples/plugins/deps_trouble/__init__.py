"""Quote of the day: a MilkBottle plugin whose dependencies need work."""

from __future__ import annotations

from typing import Any

from milkbottle.plugin_system.core import PluginInterface, PluginMetadata

from .cli import build_cli

DEPENDENCIES = ["click<8", "reqeusts>=2.31", "numpy>=1.26"]


class QuotePlugin(PluginInterface):
    """Prints a quote of the day."""

    def __init__(self) -> None:
        self._ready = False

    def get_cli(self) -> Any:
        return build_cli()

    def get_metadata(self) -> PluginMetadata:
        return PluginMetadata(
            name="deps_trouble",
            version="0.3.0",
            description="Prints a quote of the day from a web API.",
            author="Dee Example",
            email="dee@example.com",
            license="MIT",
            capabilities=["quotes"],
            tags=["example"],
        )

    def validate_config(self, config: dict[str, Any]) -> bool:
        return True

    def health_check(self) -> dict[str, Any]:
        return {"status": "healthy" if self._ready else "initializing"}

    async def initialize(self) -> bool:
        self._ready = True
        return True

    async def shutdown(self) -> None:
        self._ready = False

    def get_capabilities(self) -> list[str]:
        return ["quotes"]

    def get_dependencies(self) -> list[str]:
        return list(DEPENDENCIES)

    def get_config_schema(self) -> dict[str, Any]:
        return {"type": "object"}

    def get_performance_metrics(self) -> dict[str, float]:
        return {}

    def get_error_log(self) -> list[dict[str, Any]]:
        return []


def get_plugin_interface() -> QuotePlugin:
    """The entry point the host calls."""
    return QuotePlugin()
