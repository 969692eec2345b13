"""The dependency analysis of one plugin, which the dependency rules read.

What the plugin declares (the manifest the host reads, plus
``requirements.txt``; see :mod:`mbcheck.checks.deps.declarations`), what its
code imports, and how each import is provided: the standard library, the
plugin itself, the host, a declared requirement, or nothing (missing); which
declarations nothing imports, which conflict with the host, and which admit
versions with known vulnerabilities (when an advisories file is configured).
Computed once per plugin from the cached per-file import facts, whatever the
rule selection; it also builds the plugin's ``dependencies`` report section.
Conflicts between the plugins of a run are added by
:func:`mbcheck.checks.deps.environment.environment_conflicts`. This module
imports no libcst.
"""

from __future__ import annotations

from typing import Any

from mbcheck.checks.compat.tables import stdlib_modules
from mbcheck.checks.deps.advisories import load_advisories
from mbcheck.checks.deps.declarations import (
    host_requirements,
    manifest_label,
    manifest_requirements,
    requirements_file,
)
from mbcheck.checks.deps.facts import (
    DEV_DIRS,
    DEV_ROOT_FILES,
    HOST,
    Analysis,
    Declared,
    ImportKind,
    ImportUse,
    Vulnerability,
)
from mbcheck.checks.deps.imports import Resolution, resolve_import
from mbcheck.checks.deps.names import canonical
from mbcheck.checks.deps.reachability import Ranges, never_run, within
from mbcheck.checks.deps.specifiers import intersect_satisfiable, is_satisfiable
from mbcheck.context import PluginContext
from mbcheck.model import PluginKind


def is_dev_file(path: str) -> bool:
    """Tests, docs and install-time scripts: their imports are not run-time dependencies."""
    parts = path.split("/")
    name = parts[-1]
    if len(parts) == 1 and name in DEV_ROOT_FILES:
        return True
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in DEV_DIRS for part in parts[:-1])


#: directories that hold a tree's packages rather than being one: ``src/<pkg>``
#: (the src layout) and ``build/lib/<pkg>`` (a build's copy of the packages)
PACKAGE_ROOTS = (("src",), ("build", "lib"))
#: a top-level name that is a project's source directory, never a distribution
#: (``from src.pkg import x`` imports the project's own code through its layout)
SOURCE_ROOT = "src"


def first_party_tops(plugin: PluginContext) -> set[str]:
    """Top-level names the plugin's own files provide: its package, its top-level
    modules and packages, the packages under ``src/`` (and ``src`` itself, which
    a project imports its own code through) and under ``build/lib/``."""
    tops = {plugin.package}
    for rel in plugin.files:
        parts = rel.split("/")
        for prefix in PACKAGE_ROOTS:
            if tuple(parts[: len(prefix)]) == prefix and len(parts) > len(prefix):
                if prefix == (SOURCE_ROOT,) and rel.endswith((".py", ".pyi")):
                    tops.add(SOURCE_ROOT)
                parts = parts[len(prefix) :]
                break
        name = parts[0]
        if len(parts) == 1:
            if not name.endswith((".py", ".pyi", ".so", ".pyd")):
                continue
            name = name.split(".", 1)[0]
        elif not rel.endswith((".py", ".pyi")):
            continue
        if name.isidentifier():
            tops.add(name)
    return tops


def _host_pythons(plugin: PluginContext) -> list[tuple[int, int]]:
    """The host's Pythons as (major, minor)."""
    out: list[tuple[int, int]] = []
    for text in plugin.host.python_versions:
        parts = text.split(".")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            out.append((int(parts[0]), int(parts[1])))
    return out or [(3, 11)]


def _drop_unreachable(plugin: PluginContext, analysis: Analysis) -> None:
    """Missing imports that never run on the host are not missing."""
    if not analysis.missing:
        return
    pythons = _host_pythons(plugin)
    guards: dict[str, tuple[Ranges, Ranges]] = {}
    kept: list[ImportUse] = []
    for use in analysis.missing:
        if use.path not in guards:
            outcome = plugin.modules.get(use.path)
            found = outcome.facts.guards if outcome is not None else None
            guards[use.path] = never_run(found or (), pythons)
        typing_only, dead = guards[use.path]
        if not (within(use.fact.span.line, typing_only) or within(use.fact.span.line, dead)):
            kept.append(use)
    analysis.missing = kept


def interpreter_module(top: str) -> bool:
    """A module Python itself provides that the running interpreter may not know: one
    added to the standard library by a later release (``annotationlib``, 3.14), or an
    implementation's own (``__pypy__``). Never a distribution."""
    if top.startswith("__") and top.endswith("__"):
        return True
    entry = stdlib_modules().get(top)
    return entry is not None and entry.added is not None


def is_host_itself(plugin: PluginContext) -> bool:
    """Whether the checked distribution is MilkBottle itself (its own tree as a bottle
    distribution): what it imports must be in its own requirements, not the profile's."""
    return plugin.model.kind is PluginKind.BOTTLE and canonical(str(plugin.model.name)) == HOST


def _classify(plugin: PluginContext, analysis: Analysis, tops: set[str], provided: set[str]) -> None:
    """Every import of the plugin's files, by how it is provided; the missing ones.

    What the host profile's requirements provide is there for every plugin and
    bottle (the host installs it; the host's own tree is checked against its
    own declarations instead). A project-internal import (relative, the
    plugin's own packages, ``src.``) never names a distribution.
    """
    host = {HOST} if is_host_itself(plugin) else set(analysis.host)
    for path, module in plugin.module_facts():
        if module.imports is None:
            continue
        dev = is_dev_file(path)
        for fact in module.imports:
            if fact.stdlib or interpreter_module(fact.top):
                analysis.imports.append(ImportUse(path, fact, ImportKind.STDLIB, None, dev))
                continue
            if fact.relative or fact.top in tops or fact.top == SOURCE_ROOT:
                analysis.imports.append(ImportUse(path, fact, ImportKind.FIRST_PARTY, None, dev))
                continue
            resolution = resolve_import(fact.module)
            if resolution is None:
                continue
            if fact.top == HOST:
                resolution = Resolution(HOST, frozenset({HOST}), "map")
            candidates = resolution.candidates
            if candidates & host:
                kind = ImportKind.HOST
            elif candidates & provided:
                kind = ImportKind.DECLARED
            else:
                kind = ImportKind.THIRD_PARTY
            use = ImportUse(path, fact, kind, resolution, dev)
            analysis.imports.append(use)
            (analysis.dev_used if dev else analysis.used).update(candidates)
            if kind == ImportKind.THIRD_PARTY and not dev and analysis.declared_known:
                analysis.missing.append(use)
    analysis.dev_used -= analysis.used


def _unused(plugin: PluginContext, analysis: Analysis) -> None:
    """Declared requirements no import of the plugin uses."""
    if not analysis.declared_known or analysis.incomplete:
        return
    names = (plugin.model.name, plugin.package)
    ignored = {canonical(str(n)) for n in plugin.config.plugin_setting(names, "ignore-unused-dependencies")}
    for declared in analysis.declared:
        if declared.requirement is None or declared.extra is not None or declared.stdlib:
            continue  # a standard-library name is a problem of its own, not an unused requirement
        if declared.name in ignored or declared.provides & ignored:
            continue
        if not declared.provides & analysis.used:
            analysis.unused.append(declared)


def _host_conflicts(analysis: Analysis) -> None:
    """Declared requirements no version satisfies together with the host's."""
    for declared in analysis.valid():
        host = analysis.host.get(declared.name)
        if host is None or not declared.active or not is_satisfiable(declared.specifier):
            continue  # an empty specifier is reported on its own
        if not intersect_satisfiable(declared.specifier, host.specifier):
            analysis.host_conflicts.append((declared, host))


def _vulnerable(plugin: PluginContext, analysis: Analysis) -> None:
    """Declared requirements that admit versions the configured advisories affect."""
    path = plugin.config.advisories
    if not path:
        return
    try:
        index = load_advisories(path)
    except Exception as exc:  # kept for the report: the rest of the analysis stands
        analysis.advisories_error = exc
        return
    for declared in analysis.valid():
        assert declared.requirement is not None
        for match in index.matches(declared.requirement):
            analysis.vulnerable.append(Vulnerability(declared, match))


def _section(analysis: Analysis) -> dict[str, Any]:
    """The plugin's ``dependencies`` report section."""
    imported: dict[str, list[dict[str, Any]]] = {}
    host_provided: set[str] = set()
    for use in analysis.imports:
        if use.kind in (ImportKind.STDLIB, ImportKind.FIRST_PARTY) or use.resolution is None:
            continue
        where = {"path": use.path, "line": use.fact.span.line}
        entries = imported.setdefault(use.distribution, [])
        if where not in entries:
            entries.append(where)
        if use.kind == ImportKind.HOST:
            host_provided.add(use.distribution)

    def declared_entry(d: Declared) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "requirement": d.text,
            "distribution": d.name or None,
            "path": d.span.path,
            "line": d.span.line,
        }
        if d.extra is not None:
            entry["extra"] = d.extra
        return entry

    section: dict[str, Any] = {
        "declared": [declared_entry(d) for d in analysis.declared],
        "imported": {name: imported[name] for name in sorted(imported)},
        "host_provided": sorted(host_provided),
        "missing": [
            {
                "distribution": use.distribution,
                "module": use.fact.module,
                "path": use.path,
                "line": use.fact.span.line,
                "optional": use.fact.optional,
                "module_level": use.fact.at_module_level,
            }
            for use in analysis.missing
        ],
        "unused": [declared_entry(d) for d in analysis.unused],
        "conflicts": analysis.conflict_entries(),
    }
    if analysis.vulnerable:
        section["vulnerable"] = [v.entry() for v in analysis.vulnerable]
    return section


def analyse(plugin: PluginContext) -> Analysis:
    """The plugin's dependency analysis and its report section (the engine computes it
    once per plugin: rules read ``plugin.facts.dependencies``)."""
    python = plugin.host.python_versions or ("3.11",)
    analysis = Analysis(manifest_label=manifest_label(plugin))
    analysis.host = host_requirements(plugin)
    manifest_requirements(plugin, analysis, python)
    requirements_file(plugin, analysis, python)
    analysis.incomplete = any(not outcome.parsed for outcome in plugin.modules.values())
    provided: set[str] = set()
    for declared in analysis.declared:
        provided |= declared.provides
    _classify(plugin, analysis, first_party_tops(plugin), provided)
    _drop_unreachable(plugin, analysis)
    _unused(plugin, analysis)
    _host_conflicts(analysis)
    _vulnerable(plugin, analysis)
    analysis.section = _section(analysis)
    return analysis


__all__ = ["PACKAGE_ROOTS", "SOURCE_ROOT", "analyse", "first_party_tops", "interpreter_module", "is_dev_file", "is_host_itself"]
