"""The plugin's base class: shared metadata and health reporting."""

from __future__ import annotations

from typing import Any

from milkbottle.plugin_system.core import PluginInterface as Interface
from milkbottle.plugin_system.core import PluginMetadata


class BasePlugin(Interface):
    def get_metadata(self) -> PluginMetadata:
        return PluginMetadata(
            name="broken_interface",
            version="0.2.0",  # MB111: plugin.yaml says 0.3.0
            description="Converts documents between formats (with interface mistakes).",
            author="Ada Example",
            email="ada@example.com",
            license="MIT",
        )

    def health_check(self) -> dict[str, Any]:
        return {"ok": True}  # MB208: no "status" key

    async def get_capabilities(self) -> list[str]:  # MB205: the host does not await it
        return ["conversion"]
