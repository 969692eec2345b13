"""What the host and the bottle registry look up on a plugin, and how they call it.

The plugin host imports a plugin package and calls its module-level
``get_plugin_interface()``; the bottle registry imports each
``milkbottle.bottles`` entry point's module and calls its module-level
functions. This module names those entry points and functions, the decorators
whose effect on a call is understood, and how the host profile's method shapes
are written in messages. The method shapes themselves come from the host
profile (``plugin.host.plugin_interface``). No libcst.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from mbcheck.resources import list_dir, load_json

if TYPE_CHECKING:
    from mbcheck.context import PluginContext

#: the module-level function the host calls to get the plugin object
ENTRY_POINT = "get_plugin_interface"
#: the entry-point group of bottles in ``pyproject.toml``
BOTTLE_GROUP = "milkbottle.bottles"
#: module-level functions the bottle registry calls on a bottle module, with the
#: positional arguments it passes (``src/milkbottle/registry.py``): ``get_metadata()``
#: at discovery, ``validate_config({"enabled": True})`` after it, ``get_cli()`` on
#: run and health, ``health_check()`` then ``get_dependencies()`` on health commands.
#: Module-level ``get_capabilities``/``get_config_schema`` are never called.
BOTTLE_FUNCTIONS: Mapping[str, tuple[str, ...]] = {
    "get_cli": (),
    "validate_config": ("config",),
    "health_check": (),
    "get_metadata": (),
    "get_dependencies": (),
}
#: module attributes the registry reads when a bottle has no ``get_metadata``, and
#: what it uses when one is missing
BOTTLE_DUNDERS: Mapping[str, str] = {
    "__alias__": "the bottle's key (its entry-point or directory name)",
    "__version__": 'version "0.0.0"',
}
#: methods/functions whose literal return values the rules compare with the manifest
LITERAL_RETURNS = frozenset(
    {"get_capabilities", "get_dependencies", "health_check", "get_metadata", "get_config_schema"}
)
#: names of module-level functions whose facts are always recorded with positions
TRACKED_FUNCTIONS = frozenset({ENTRY_POINT, *BOTTLE_FUNCTIONS, *LITERAL_RETURNS})

#: decorators that keep a method's call shape
TRANSPARENT_DECORATORS = frozenset(
    {
        "abc.abstractmethod",
        "typing.override",
        "typing_extensions.override",
        "typing.final",
        "typing_extensions.final",
        "functools.cache",
        "functools.lru_cache",
        "builtins.staticmethod",
        "builtins.classmethod",
    }
)
PROPERTY_DECORATORS = frozenset({"builtins.property", "functools.cached_property", "abc.abstractproperty"})
OVERLOAD_DECORATORS = frozenset({"typing.overload", "typing_extensions.overload"})
#: return annotations under which a plain ``def`` still hands the host an awaitable
AWAITABLE_ANNOTATIONS = frozenset(
    {
        "typing.Awaitable",
        "typing.Coroutine",
        "collections.abc.Awaitable",
        "collections.abc.Coroutine",
        "asyncio.Future",
        "asyncio.Task",
    }
)


@cache
def known_interface_methods() -> frozenset[str]:
    """Every interface method name of the shipped host profiles (data, not code).

    The collector uses the run's host profile's methods (given to the per-file
    pass in its options); these are its fallback when the pass runs without a
    run (a single file analysed on its own). The rules judge methods by
    ``plugin.host.plugin_interface``.
    """
    names: set[str] = set()
    for entry in list_dir("rules/hosts"):
        if entry.endswith(".json"):
            data = load_json(f"rules/hosts/{entry}")
            if isinstance(data, dict) and isinstance(data.get("plugin_interface"), dict):
                names.update(data["plugin_interface"])
    return frozenset(names)


def public_names(plugin: PluginContext, member: str) -> frozenset[str]:
    """Qualified names of a public API member (``PluginInterface``) in the host profile."""
    return frozenset(f"{module}.{member}" for module, names in plugin.host.public_api.items() if member in names)


def expected_shape(name: str, spec: Mapping[str, Any], method: bool = True) -> str:
    """How the host profile's shape of ``name`` is written: ``async def initialize(self)``."""
    params = [str(p) for p in spec.get("params", ())]
    if method:
        params.insert(0, "self")
    keyword = "async def" if spec.get("async") else "def"
    return f"{keyword} {name}({', '.join(params)})"
