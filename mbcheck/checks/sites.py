"""Where a plugin or a bottle declares what it needs, for the advice in messages.

A plugin declares its requirements in its manifest (``plugin.yaml``
``dependencies``, or ``__dependencies__`` in ``__init__.py``). A bottle has
no ``plugin.yaml`` at all: a bottle distribution declares them in its
``pyproject.toml`` ``[project] dependencies``, and an in-tree bottle (a
package under the host's own ``milkbottle/modules/``, which the registry
imports as ``milkbottle.modules.<dir>``) is installed with MilkBottle itself,
so its requirements belong in the host's ``pyproject.toml`` (its
``get_dependencies()`` is only what the host's health check imports).
Every rule that tells the author where to declare something asks here, so no
bottle is ever told to edit a ``plugin.yaml``. This module imports no libcst.
"""

from __future__ import annotations

from pathlib import PurePath

from mbcheck.context import PluginContext
from mbcheck.discovery import BOTTLES_DIRECTORY, HOST_PACKAGE
from mbcheck.model import ManifestSource, PluginKind


def in_tree_bottle(plugin: PluginContext) -> bool:
    """Whether the checked directory is a bottle inside the host's own package
    (``.../milkbottle/modules/<dir>``), whatever kind it was checked as."""
    if plugin.model.kind is PluginKind.BOTTLE and plugin.package.startswith(f"{HOST_PACKAGE}.{BOTTLES_DIRECTORY}."):
        return True  # discovery made it a bottle target: imported as milkbottle.modules.<dir>
    parts = PurePath(plugin.root.replace("\\", "/")).parts
    return len(parts) >= 3 and parts[-3] == HOST_PACKAGE and parts[-2] == BOTTLES_DIRECTORY


def is_bottle(plugin: PluginContext) -> bool:
    """A bottle (a distribution with ``milkbottle.bottles`` entry points, or an in-tree one)."""
    return plugin.model.kind is PluginKind.BOTTLE or in_tree_bottle(plugin)


def noun(plugin: PluginContext) -> str:
    """``bottle`` or ``plugin``, as a message calls the checked code."""
    return "bottle" if is_bottle(plugin) else "plugin"


def dependencies_site(plugin: PluginContext) -> str:
    """Where a requirement is added, as a message names it."""
    if in_tree_bottle(plugin):
        return "`[project] dependencies` in the host's pyproject.toml (an in-tree bottle is installed with MilkBottle)"
    source = plugin.model.source
    if plugin.model.kind is PluginKind.BOTTLE:
        return "[project].dependencies in pyproject.toml"
    if source is ManifestSource.DUNDERS:
        return "`__dependencies__` in __init__.py"
    if source is ManifestSource.PYPROJECT:
        return "[project].dependencies in pyproject.toml"
    return "dependencies in plugin.yaml"


def declared_in(plugin: PluginContext) -> str:
    """The list the host installs a plugin's or bottle's requirements from, as a message names it."""
    if in_tree_bottle(plugin):
        return "the host's pyproject.toml"
    source = plugin.model.source
    if plugin.model.kind is PluginKind.BOTTLE or source is ManifestSource.PYPROJECT:
        return "pyproject.toml"
    if source is ManifestSource.DUNDERS:
        return "`__dependencies__`"
    return "plugin.yaml"


__all__ = ["BOTTLES_DIRECTORY", "HOST_PACKAGE", "declared_in", "dependencies_site", "in_tree_bottle", "is_bottle", "noun"]
