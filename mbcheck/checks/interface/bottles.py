"""Bottles: the modules the bottle registry imports, and where they are declared.

The registry finds bottles two ways: the ``milkbottle.bottles`` entry points
of installed distributions (``name = "package.module:attribute"``: it imports
``package.module`` and looks ``get_cli`` up on it; the attribute is ignored),
and the sub-directories of the host's own ``milkbottle/modules/`` holding a
``cli.py`` (imported as ``milkbottle.modules.<dir>``). This module reads the
entry points with their spans, finds each bottle module's file, and looks up
a module-level function of every bottle module in the interface index
(following imports). No libcst.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mbcheck.checks.interface.contract import BOTTLE_GROUP
from mbcheck.checks.interface.facts import FunctionFact
from mbcheck.checks.interface.symbols import FunctionRef
from mbcheck.checks.sites import in_tree_bottle
from mbcheck.discovery import HOST_PACKAGE, LOCAL_BOTTLE_MARKER
from mbcheck.model import PluginKind, Span

if TYPE_CHECKING:
    from mbcheck.context import PluginContext


@dataclass(frozen=True)
class BottleEntry:
    """One entry point: ``name = "module:attr"``, where it is written and the module's file."""

    name: str
    value: str
    module: str
    attr: str
    span: Span
    #: the module's file in the distribution, if found
    path: str | None


def _entry_point_pointer(name: str) -> str:
    from mbcheck.documents.pointers import join_pointer

    return join_pointer(("project", "entry-points", BOTTLE_GROUP, name))


def bottle_entries(plugin: PluginContext) -> list[BottleEntry]:
    """The distribution's ``milkbottle.bottles`` entry points, in ``pyproject.toml`` order."""
    document = getattr(plugin.manifest, "document", None)
    value = getattr(document, "value", None)
    if plugin.model.kind is not PluginKind.BOTTLE or not isinstance(value, dict):
        return []
    project = value.get("project")
    groups = project.get("entry-points") if isinstance(project, dict) else None
    entries = groups.get(BOTTLE_GROUP) if isinstance(groups, dict) else None
    if not isinstance(entries, dict):
        return []
    files = set(plugin.files)
    out: list[BottleEntry] = []
    for name, raw in entries.items():
        pointer = _entry_point_pointer(str(name))
        span = document.span(pointer) if document is not None else Span("pyproject.toml")
        text = str(raw).split("[", 1)[0].strip()
        module, _, attr = (part.strip() for part in text.partition(":"))
        out.append(BottleEntry(str(name), str(raw), module, attr, span, _module_file(module, files)))
    return out


def module_candidates(module: str) -> list[str]:
    """The files that may hold a module, in the order they are looked for."""
    base = module.replace(".", "/")
    return [f"{base}.py", f"{base}/__init__.py", f"src/{base}.py", f"src/{base}/__init__.py"]


def _module_file(module: str, files: set[str]) -> str | None:
    if not module or not all(part.isidentifier() for part in module.split(".")):
        return None
    return next((c for c in module_candidates(module) if c in files), None)


#: an in-tree bottle's ``cli.py`` inside a distribution: ``[src/]milkbottle/modules/<dir>/cli.py``
_IN_TREE = re.compile(rf"^(?:src/)?{HOST_PACKAGE}/modules/([^/]+)/{re.escape(LOCAL_BOTTLE_MARKER)}$")


@dataclass(frozen=True)
class BottleModule:
    """A module the bottle registry imports as a bottle, and where the bottle is declared."""

    #: the registry's key: the entry-point name, or the directory name of an in-tree bottle
    key: str
    #: the module the registry imports
    module: str
    #: the module's file (None: not in the distribution, or a namespace package without one)
    path: str | None
    #: where findings about the bottle as a whole go: its entry point, or its package's file
    span: Span
    #: the entry point naming it (None for an in-tree bottle)
    entry: BottleEntry | None = None


def _in_tree_bottles(plugin: PluginContext) -> list[BottleModule]:
    """The registry's local bottles in what is checked: ``milkbottle/modules/<dir>/`` with a ``cli.py``."""
    files = set(plugin.files)
    if in_tree_bottle(plugin):
        key = plugin.package.rsplit(".", 1)[-1]
        path = "__init__.py" if "__init__.py" in files else None
        return [BottleModule(key, plugin.package, path, Span(path or LOCAL_BOTTLE_MARKER, 1, 1))]
    if plugin.model.kind is not PluginKind.BOTTLE:
        return []
    out: list[BottleModule] = []
    for rel in sorted(files):
        match = _IN_TREE.match(rel)
        if match is None or f"{rel.split(HOST_PACKAGE + '/', 1)[0]}{HOST_PACKAGE}/__init__.py" not in files:
            continue
        base = rel.rsplit("/", 1)[0]
        init = f"{base}/__init__.py"
        path = init if init in files else None
        out.append(BottleModule(match.group(1), f"{HOST_PACKAGE}.modules.{match.group(1)}", path, Span(path or rel, 1, 1)))
    return out


def all_bottles(plugin: PluginContext) -> list[BottleModule]:
    """Every bottle the registry would load from what is checked, once per module.

    Entry points first (in ``pyproject.toml`` order; their ``:attr`` is
    ignored, as the registry ignores it), then in-tree bottles. A module named
    by several entry points, or by an entry point and ``milkbottle/modules``,
    is one bottle (the registry imports the same module).
    """
    out: list[BottleModule] = []
    seen: set[str] = set()
    for entry in bottle_entries(plugin):
        if entry.module in seen:
            continue
        seen.add(entry.module)
        out.append(BottleModule(entry.name, entry.module, entry.path, entry.span, entry))
    for local in _in_tree_bottles(plugin):
        if local.module not in seen:
            seen.add(local.module)
            out.append(local)
    return out


def bottle_modules(plugin: PluginContext) -> Iterator[tuple[BottleModule, str]]:
    """Each bottle whose module file is checked and parsed, with its name in the index."""
    index = plugin.facts.interface.index
    seen: set[str] = set()
    for bottle in all_bottles(plugin):
        if bottle.path is None or bottle.path in seen:
            continue
        seen.add(bottle.path)
        known = index.module_of_path(bottle.path)
        if known is not None:
            yield bottle, known[0]


def bottle_function_refs(plugin: PluginContext, name: str) -> list[FunctionRef]:
    """The module-level function ``name`` of each bottle module (following imports), each
    function once even when several bottle modules reach the same one."""
    index = plugin.facts.interface.index
    out: list[FunctionRef] = []
    seen: set[tuple[str, str]] = set()
    for _bottle, module in bottle_modules(plugin):
        symbol = index.resolve(f"{module}.{name}")
        if isinstance(symbol, FunctionRef) and (symbol.path, symbol.fact.name) not in seen:
            seen.add((symbol.path, symbol.fact.name))
            out.append(symbol)
    return out


def bottle_functions(plugin: PluginContext, name: str) -> list[tuple[str, FunctionFact]]:
    """The module-level function ``name`` of each bottle module (following imports)."""
    return [(symbol.path, symbol.fact) for symbol in bottle_function_refs(plugin, name)]
