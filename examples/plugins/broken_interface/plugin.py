"""The plugin object the host talks to."""

from __future__ import annotations

from typing import Any

from .base import BasePlugin

CONFIG_SCHEMA = {
    "type": "object",
    "properties": {
        "workers": {"type": "integer", "minimum": 1, "default": 0},  # MB251: 0 < minimum
        "mode": {"enum": ["fast", "safe"], "defualt": "fast"},  # MB254: a misspelt keyword
    },
    "additionalProperties": False,
}


class ConverterPlugin(BasePlugin):  # MB204: get_error_log is missing
    def get_cli(self, verbose: bool) -> Any:  # MB206: the host passes no arguments
        return None

    def validate_config(self, config: dict[str, Any]) -> bool:
        return isinstance(config.get("workers", 1), int)

    def initialize(self) -> bool:  # MB205: the host awaits it
        return True

    async def shutdown(self) -> None:
        return None

    def get_dependencies(self) -> list[str]:
        return ["requests>=2.31", "lxml"]  # MB207: lxml is not in plugin.yaml

    def get_config_schema(self) -> dict[str, Any]:
        return CONFIG_SCHEMA

    def get_performance_metrics(self) -> dict[str, float]:
        return {}
