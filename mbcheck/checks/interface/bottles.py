"""Bottles: the ``milkbottle.bottles`` entry points of a distribution and their modules.

A bottle distribution declares entry points in ``pyproject.toml``
(``name = "package.module:attribute"``); the bottle registry imports each
one's module and calls its module-level functions. This module reads the
entry points with their spans, finds each module's file in the distribution,
and looks up a module-level function of every bottle module in the interface
index (following imports). No libcst.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mbcheck.checks.interface.contract import BOTTLE_GROUP
from mbcheck.checks.interface.facts import FunctionFact
from mbcheck.checks.interface.symbols import FunctionRef
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


def bottle_functions(plugin: PluginContext, name: str) -> list[tuple[str, FunctionFact]]:
    """The module-level function ``name`` of each bottle module (following imports)."""
    index = plugin.facts.interface.index
    out: list[tuple[str, FunctionFact]] = []
    seen: set[str] = set()
    for entry in bottle_entries(plugin):
        if entry.path is None or entry.module in seen or entry.module not in index.modules:
            continue
        seen.add(entry.module)
        symbol = index.resolve(f"{entry.module}.{name}")
        if isinstance(symbol, FunctionRef):
            out.append((symbol.path, symbol.fact))
    return out


@dataclass(frozen=True)
class BottleModule:
    """A bottle entry point's module, as the interface index knows it."""

    entry: BottleEntry
    #: the module's file in the distribution
    path: str
    #: the module's name in the index
    module: str


def bottle_modules(plugin: PluginContext) -> Iterator[BottleModule]:
    """Each bottle entry point whose module file is in the distribution and parsed, once per file."""
    index = plugin.facts.interface.index
    seen: set[str] = set()
    for entry in bottle_entries(plugin):
        if entry.path is None or entry.path in seen:
            continue
        seen.add(entry.path)
        known = index.module_of_path(entry.path)
        if known is not None:
            yield BottleModule(entry, entry.path, known[0])
