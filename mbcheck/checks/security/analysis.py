"""The plugin-level security analysis: what the plugin's code does, by permission.

:func:`analyse_permissions` reads the ``security`` facts the per-file
collector recorded (see :mod:`mbcheck.checks.security.collect`) and returns a
:class:`PermissionAnalysis`; the engine computes it once per plugin
(``plugin.facts.permissions``), and the report's ``permissions`` section
comes from it, whatever rules run. The other functions answer what the
import-time rule asks across the plugin's modules: which files the host runs
while discovering the plugin, and which side effect a call made at import time
reaches through the plugin's own functions.

Which files count: every Python file of the plugin, except a root ``setup.py``
(install-time code, MB350) and test files (``tests/``, ``test_*.py``,
``*_test.py``, ``conftest.py``) that the plugin's other modules do not import,
directly or through each other (``from .tests import helper`` makes
``tests/helper.py`` count, and what it imports in turn): the host never runs
them. This module imports no libcst.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mbcheck.checks.security.facts import Evidence, SecurityFacts
from mbcheck.checks.security.tables import SIDE_EFFECT_PERMISSIONS, tables
from mbcheck.context import PluginContext
from mbcheck.pyfile.facts import ImportFact

#: what calling a class (or an instance) runs: the class body's methods
_CLASS_ENTRY = ("", ".__init__", ".__new__", ".__post_init__", ".__call__", ".__init_subclass__")


def is_test_file(path: str) -> bool:
    """Whether a plugin path is a test file (``tests/``, ``test_*.py``, ``*_test.py``, ``conftest.py``)."""
    parts = path.split("/")
    name = parts[-1]
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in ("tests", "test", "testing") for part in parts[:-1])


def security_facts(plugin: PluginContext) -> dict[str, SecurityFacts]:
    """The collector's facts, by path."""
    return {path: module.security for path, module in plugin.module_facts() if module.security is not None}


def _imports(plugin: PluginContext) -> dict[str, tuple[ImportFact, ...]]:
    return {path: module.imports for path, module in plugin.module_facts() if module.imports is not None}


def _imported_modules(facts: Iterable[ImportFact]) -> set[str]:
    """Every dotted prefix of every imported name (importing ``a.b.c`` runs ``a`` and ``a.b``)."""
    out: set[str] = set()
    for fact in facts:
        for name in (fact.module, fact.source_module):
            parts = name.split(".")
            out.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return out


@dataclass(frozen=True)
class PermissionAnalysis:
    """What the plugin's code does, by permission, from the files that count."""

    evidence: tuple[tuple[str, Evidence], ...]
    inferred: tuple[str, ...]
    counted_files: frozenset[str]

    def section(self) -> dict[str, Any]:
        return {
            "inferred": list(self.inferred),
            "evidence": [
                {
                    "permission": e.permission,
                    "path": path,
                    "line": e.span.line,
                    "column": e.span.column,
                    "via": e.via,
                    "kind": e.kind,
                }
                for path, e in self.evidence
            ],
        }


def analyse_permissions(plugin: PluginContext) -> PermissionAnalysis:
    """Permission evidence of a plugin (the engine computes it once per plugin:
    rules read ``plugin.facts.permissions``)."""
    facts = security_facts(plugin)
    imports = _imports(plugin)
    runtime = {path for path in facts if path != "setup.py" and not is_test_file(path)}
    # a test file or setup.py the plugin's code imports (directly or through
    # other such files) runs on the host: it counts
    while True:
        used = _imported_modules(f for path in runtime for f in imports.get(path, ()))
        reached = {path for path, fact in facts.items() if path not in runtime and fact.module in used}
        if not reached:
            break
        runtime |= reached
    evidence = sorted(
        ((path, e) for path in runtime for e in facts[path].evidence),
        key=lambda item: (item[0], item[1].span.line, item[1].span.column, item[1].permission, item[1].via),
    )
    inferred = tuple(sorted({e.permission for _, e in evidence}))
    return PermissionAnalysis(tuple(evidence), inferred, frozenset(runtime))


# --------------------------------------------------------------------------
# Import time, across the plugin's modules


def discovery_roots(plugin: PluginContext, modules: Mapping[str, str]) -> list[str]:
    """The files the host imports first: the plugin package, and for a bottle
    distribution its ``milkbottle.bottles`` entry-point modules and in-tree bottles."""
    from pathlib import Path

    from mbcheck.discovery import (
        BOTTLES_DIRECTORY,
        HOST_PACKAGE,
        LOCAL_BOTTLE_MARKER,
        bottle_entry_points,
    )

    names = [plugin.package]
    root = Path(plugin.root)
    names.extend(target.split(":", 1)[0].strip() for target in (bottle_entry_points(root / "pyproject.toml") or {}).values())
    bottles = f"{HOST_PACKAGE}.{BOTTLES_DIRECTORY}."
    paths = set(modules.values())
    for name, path in modules.items():
        # the registry imports milkbottle.modules.<dir> for every <dir> holding a cli.py
        rest = name[len(bottles):] if name.startswith(bottles) else ""
        if (rest and "." not in rest and path.endswith("/__init__.py")
                and f"{path.rsplit('/', 1)[0]}/{LOCAL_BOTTLE_MARKER}" in paths):
            names.append(name)
    return [modules[name] for name in dict.fromkeys(names) if name in modules]


def discovery_reachable(plugin: PluginContext, facts: Mapping[str, SecurityFacts]) -> set[str]:
    """Files the host runs when it imports the plugin package (or a bottle's entry points),
    following the imports each runs at import time. A computed import at module level
    of a file reached this way may import any file: then every file counts. A computed
    import elsewhere (in a function, in a file not reached) adds nothing."""
    modules = {fact.module: path for path, fact in facts.items()}
    imports = _imports(plugin)
    todo = discovery_roots(plugin, modules)
    if not todo:
        return set(facts)
    reachable: set[str] = set()
    while todo:
        path = todo.pop()
        if path in reachable:
            continue
        reachable.add(path)
        if facts[path].dynamic_import:
            return set(facts)
        names = _imported_modules(f for f in imports.get(path, ()) if f.at_module_level)
        todo.extend(modules[name] for name in names if name in modules and modules[name] not in reachable)
    return reachable


def call_graph(facts: Mapping[str, SecurityFacts]) -> dict[str, set[str]]:
    """The plugin's functions and the plugin functions each calls, across modules."""
    graph: dict[str, set[str]] = {}
    for fact in facts.values():
        for summary in fact.functions:
            graph.setdefault(summary.name, set()).update(summary.calls)
    return graph


def side_effects(facts: Mapping[str, SecurityFacts]) -> dict[str, tuple[str, Evidence]]:
    """Per function, the side effect that best shows what it does (``urlopen`` over ``Request``)."""
    data = tables()
    strong = {*data.calls, *data.timeout_calls, *data.shell_calls, *data.write_methods}
    out: dict[str, tuple[str, Evidence]] = {}
    for path, fact in sorted(facts.items()):
        for evidence in fact.evidence:
            if not (evidence.kind == "call" and evidence.function and evidence.permission in SIDE_EFFECT_PERMISSIONS):
                continue
            current = out.get(evidence.function)
            if current is None or (evidence.via in strong and current[1].via not in strong):
                out[evidence.function] = (path, evidence)
    return out


def reached_effect(
    callee: str, graph: Mapping[str, set[str]], effects: Mapping[str, tuple[str, Evidence]]
) -> tuple[str, Evidence] | None:
    """The first side effect (``(path, evidence)``) a call of ``callee`` reaches, breadth first."""
    seen: set[str] = set()
    todo = [callee]
    while todo:
        name = todo.pop(0)
        for suffix in _CLASS_ENTRY:
            candidate = name + suffix
            if candidate in seen:
                continue
            seen.add(candidate)
            if candidate in effects:
                return effects[candidate]
            todo.extend(sorted(graph.get(candidate, ())))
    return None


__all__ = [
    "PermissionAnalysis",
    "analyse_permissions",
    "call_graph",
    "discovery_reachable",
    "discovery_roots",
    "is_test_file",
    "reached_effect",
    "security_facts",
    "side_effects",
]
