"""Old Python: written for a newer Python than its manifest declares."""

from __future__ import annotations

import imp
import sys
import tomllib
from typing import Any

from milkbottle.plugin_system import PluginInterface, PluginMetadata

if sys.version_info >= (3, 9):
    from zoneinfo import ZoneInfo  # guarded: does not raise the minimum
else:
    ZoneInfo = None

try:
    from functools import cache  # guarded by the ImportError fallback
except ImportError:
    from functools import lru_cache

    cache = lru_cache(maxsize=None)


@cache
def greeting(config: dict[str, Any]) -> str:
    match config:
        case {"greeting": str(text)}:
            return text
        case _:
            return "Hello"


def load_settings(text: str) -> dict[str, Any]:
    return tomllib.loads(text)


def module_suffixes() -> list[str]:
    return [suffix for suffix, _mode, _kind in imp.get_suffixes()]


class OldPythonPlugin(PluginInterface):
    """Greets with a greeting read from TOML."""

    def __init__(self) -> None:
        self._ready = False

    def get_cli(self) -> Any:
        return None

    def get_metadata(self) -> PluginMetadata:
        return PluginMetadata(
            name="old_python",
            version="0.4.0",
            description="Reads greetings from a TOML file and prints them.",
            author="Di Example",
            email="di@example.com",
            license="MIT",
            capabilities=["greeting"],
            tags=["example"],
        )

    def validate_config(self, config: dict[str, Any]) -> bool:
        return isinstance(config.get("greeting", ""), str)

    def health_check(self) -> dict[str, Any]:
        return {"status": "healthy" if self._ready else "initializing"}

    async def initialize(self) -> bool:
        self._ready = True
        return True

    async def shutdown(self) -> None:
        self._ready = False

    def get_capabilities(self) -> list[str]:
        return ["greeting"]

    def get_dependencies(self) -> list[str]:
        return []

    def get_config_schema(self) -> dict[str, Any]:
        return {"type": "object", "properties": {"greeting": {"type": "string"}}}

    def get_performance_metrics(self) -> dict[str, float]:
        return {}

    def get_error_log(self) -> list[dict[str, Any]]:
        return []


plugin = OldPythonPlugin()


def get_plugin_interface() -> OldPythonPlugin:
    return plugin
