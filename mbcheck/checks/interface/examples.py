"""Example plugins for the interface and config rules' VALID and INVALID examples.

Every interface example is the same small, complete plugin: one class with
every method of ``PluginInterface`` (as MilkBottle 1.0 defines them) and a
``get_plugin_interface()`` returning an instance. An example replaces, drops
or adds methods, changes the bases or the entry point, and an INVALID example
names the text its finding is on. No libcst.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mbcheck.rules.base import Invalid

#: the imports every example plugin starts with
EXAMPLE_IMPORT = "from milkbottle.plugin_system.core import PluginInterface, PluginMetadata\n"

#: the methods of the example class, in order
_METHODS = {
    "get_cli": "    def get_cli(self):\n        return None\n",
    "get_metadata": "    def get_metadata(self):\n        return None\n",
    "validate_config": "    def validate_config(self, config):\n        return True\n",
    "health_check": "    def health_check(self):\n        return {'status': 'healthy'}\n",
    "initialize": "    async def initialize(self):\n        return True\n",
    "shutdown": "    async def shutdown(self):\n        return None\n",
    "get_capabilities": "    def get_capabilities(self):\n        return ['example']\n",
    "get_dependencies": "    def get_dependencies(self):\n        return []\n",
    "get_config_schema": "    def get_config_schema(self):\n        return {'type': 'object'}\n",
    "get_performance_metrics": "    def get_performance_metrics(self):\n        return {}\n",
    "get_error_log": "    def get_error_log(self):\n        return []\n",
}


def example_class(
    name: str = "Plugin",
    bases: str = "PluginInterface",
    replace: Mapping[str, str] | None = None,
    drop: Sequence[str] = (),
) -> str:
    """A complete implementation (for the examples), with methods replaced or dropped."""
    replace = replace or {}
    body = "".join(replace.get(m, text) for m, text in _METHODS.items() if m not in drop)
    extra = "".join(text for m, text in replace.items() if m not in _METHODS)
    header = f"class {name}({bases}):\n" if bases else f"class {name}:\n"
    return header + (body + extra or "    pass\n")


def example_plugin(
    replace: Mapping[str, str] | None = None,
    drop: Sequence[str] = (),
    entry: str = "def get_plugin_interface():\n    return Plugin()\n",
    bases: str = "PluginInterface",
    imports: str = "",
) -> str:
    """The example plugin: the imports (and ``imports``), the class and the entry point."""
    return EXAMPLE_IMPORT + imports + "\n\n" + example_class(bases=bases, replace=replace, drop=drop) + "\n\n" + entry


#: the complete, correct example plugin
EXAMPLE_PLUGIN = example_plugin()


def _line(text: str, needle: str, last: bool = False) -> int:
    """The 1-based line of ``text`` holding ``needle`` (its last occurrence if ``last``)."""
    index = text.rfind(needle) if last else text.find(needle)
    if index < 0:
        raise ValueError(f"{needle!r} not in example")
    return text.count("\n", 0, index) + 1


def invalid_at(code: str, needle: str, last: bool = False, **kwargs: Any) -> Invalid:
    """An INVALID example whose finding is on the line holding ``needle``."""
    return Invalid(code, line=_line(code, needle, last), **kwargs)
