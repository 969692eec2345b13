"""The dependency analysis of one plugin, shared by the dependency rules.

What the plugin declares (the manifest the host reads, plus
``requirements.txt``), what its code imports, and how each import is
provided: the standard library, the plugin itself, the host, a declared
requirement, or nothing (missing). Computed once per plugin from the cached
per-file import facts; it also writes the plugin's ``dependencies`` report
section. This module imports no libcst.
"""

from __future__ import annotations

import ast
import enum
import operator
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from mbcheck.checks.deps.imports import Resolution, resolve_import
from mbcheck.checks.deps.names import canonical, load_import_map
from mbcheck.checks.deps.requirements import (
    marker_may_apply,
    parse_requirement,
    parse_requirements_file,
    suppressed,
)
from mbcheck.checks.deps.specifiers import intersect_satisfiable, is_satisfiable
from mbcheck.context import PluginContext
from mbcheck.model import NOT_STATIC, Confidence, ManifestSource, PluginKind, Severity, Span
from mbcheck.pyfile.facts import ImportFact
from mbcheck.rules.base import Rule

SECTION = "dependencies"
#: the requirements file compared with the manifest (``-r`` includes followed)
REQUIREMENTS_FILE = "requirements.txt"
HOST = "milkbottle"
#: directories whose files the host never imports (their imports are not required)
DEV_DIRS = frozenset({"tests", "test", "testing", "docs", "doc"})
#: root files run at install or development time, never by the host
DEV_ROOT_FILES = frozenset({"setup.py", "noxfile.py", "fabfile.py", "tasks.py"})
#: standard-library module names, lower-cased (a requirement named like one installs nothing useful)
STDLIB_NAMES = frozenset(name.lower() for name in sys.stdlib_module_names if not name.startswith("_"))


class ImportKind(enum.StrEnum):
    """How an import is provided."""

    STDLIB = "stdlib"
    FIRST_PARTY = "first-party"
    HOST = "host"
    DECLARED = "declared"
    THIRD_PARTY = "third-party"


@dataclass(frozen=True)
class Declared:
    """One declared requirement and where it is written."""

    text: str
    requirement: Requirement | None
    span: Span
    #: ``plugin.yaml``, ``__init__.py``, ``pyproject.toml``, ``requirements.txt``, ...
    source: str
    error: str | None = None
    #: the ``[project.optional-dependencies]`` group, for a bottle's extras
    extra: str | None = None
    #: distributions this declaration provides (its own name; for an import
    #: name such as ``yaml``, also the distribution the name stands for)
    provides: frozenset[str] = frozenset()
    #: the distribution the name stands for when it is an import name (``yaml`` -> PyYAML)
    import_name_of: str | None = None
    #: whether its marker can hold on a host Python
    active: bool = True
    #: the name is a standard-library module (``json``, ``os``), not a distribution
    stdlib: bool = False

    @property
    def name(self) -> str:
        return canonical(self.requirement.name) if self.requirement is not None else ""

    @property
    def specifier(self) -> SpecifierSet:
        return self.requirement.specifier if self.requirement is not None else SpecifierSet()

    def location(self) -> str:
        return f"{self.span.path}:{self.span.line}"


@dataclass(frozen=True)
class ImportUse:
    path: str
    fact: ImportFact
    kind: ImportKind
    resolution: Resolution | None
    #: in a test file, the docs or ``setup.py``: not needed at run time
    dev: bool

    @property
    def distribution(self) -> str:
        return self.resolution.distribution if self.resolution is not None else ""


@dataclass(frozen=True)
class HostRequirement:
    name: str
    text: str
    specifier: SpecifierSet


@dataclass
class Analysis:
    #: the requirements the host uses (the winning manifest source), extras included
    declared: list[Declared] = field(default_factory=list)
    #: False when the manifest's list is not a literal: nothing can be called missing or unused
    declared_known: bool = True
    #: where requirements are added (``plugin.yaml``, ``__dependencies__`` ...)
    manifest_label: str = "plugin.yaml"
    requirements_file: list[Declared] = field(default_factory=list)
    requirements_present: bool = False
    #: invalid requirements and unreadable includes: (span, message)
    invalid: list[tuple[Span, str]] = field(default_factory=list)
    imports: list[ImportUse] = field(default_factory=list)
    host: dict[str, HostRequirement] = field(default_factory=dict)
    #: distributions imported at run time (every candidate of every import)
    used: set[str] = field(default_factory=set)
    #: distributions imported only by test files, docs or setup.py
    dev_used: set[str] = field(default_factory=set)
    missing: list[ImportUse] = field(default_factory=list)
    unused: list[Declared] = field(default_factory=list)
    #: declared requirements that cannot be installed beside the host's
    host_conflicts: list[tuple[Declared, HostRequirement]] = field(default_factory=list)
    #: a file could not be parsed: its imports are unknown
    incomplete: bool = False
    section: dict[str, Any] = field(default_factory=dict)

    def valid(self, include_requirements_file: bool = True) -> list[Declared]:
        """Declared requirements that parse, manifest first."""
        pool = [*self.declared, *(self.requirements_file if include_requirements_file else ())]
        return [d for d in pool if d.requirement is not None]


# ---------------------------------------------------------------------------
# helpers


def is_dev_file(path: str) -> bool:
    """Tests, docs and install-time scripts: their imports are not run-time dependencies."""
    parts = path.split("/")
    name = parts[-1]
    if len(parts) == 1 and name in DEV_ROOT_FILES:
        return True
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in DEV_DIRS for part in parts[:-1])


def first_party_tops(plugin: PluginContext) -> set[str]:
    """Top-level names the plugin's own files provide (its package, modules, ``src/`` packages)."""
    tops = {plugin.package}
    for rel in plugin.files:
        parts = rel.split("/")
        if parts[0] == "src" and len(parts) > 1:
            parts = parts[1:]
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


@cache
def _import_name_table() -> dict[str, tuple[str, ...]]:
    """Lower-cased top-level import names that differ from their distribution's name."""
    out: dict[str, tuple[str, ...]] = {}
    for key, value in load_import_map().items():
        if "." in key:
            continue
        names = (value,) if isinstance(value, str) else tuple(value)
        if canonical(key) not in {canonical(n) for n in names}:
            out[canonical(key)] = names
    return out


def import_name_distribution(name: str) -> str | None:
    """The distribution an import name stands for, when ``name`` is an import name
    that is not itself the distribution (``yaml`` -> ``PyYAML``, ``PIL`` -> ``Pillow``)."""
    names = _import_name_table().get(canonical(name))
    return names[0] if names else None


def host_requirements(plugin: PluginContext) -> dict[str, HostRequirement]:
    out: dict[str, HostRequirement] = {}
    for text in plugin.host.requirements:
        requirement, _ = parse_requirement(text)
        if requirement is not None:
            name = canonical(requirement.name)
            out[name] = HostRequirement(name, text, requirement.specifier)
    try:
        version = Version(plugin.host.milkbottle_version)
    except InvalidVersion:
        version = None
    if version is not None:
        out[HOST] = HostRequirement(HOST, f"{HOST}=={version}", SpecifierSet(f"=={version}"))
    return out


def declared_requirement(
    text: str, span: Span, source: str, python: Sequence[str], extra: str | None = None
) -> Declared:
    """One requirement string as declared at ``span`` (parsed; its marker tried on ``python``)."""
    requirement, error = parse_requirement(text)
    if requirement is None:
        return Declared(text, None, span, source, error=error, extra=extra)
    own = canonical(requirement.name)
    stdlib = requirement.name.lower().replace("-", "_") in STDLIB_NAMES
    stands_for = None if stdlib else import_name_distribution(requirement.name)
    provides = {own} | ({canonical(stands_for)} if stands_for else set())
    return Declared(
        text,
        requirement,
        span,
        source,
        extra=extra,
        provides=frozenset(provides),
        import_name_of=stands_for,
        active=marker_may_apply(requirement.marker, python),
        stdlib=stdlib,
    )


def manifest_label(plugin: PluginContext) -> str:
    model = plugin.model
    if model.source is ManifestSource.DUNDERS:
        return "`__dependencies__` in __init__.py"
    if model.source is ManifestSource.PYPROJECT:
        return "[project].dependencies in pyproject.toml"
    return "dependencies in plugin.yaml"


def _manifest_requirements(plugin: PluginContext, analysis: Analysis, python: Sequence[str]) -> None:
    model = plugin.model
    source = model.source.value if model.source is not ManifestSource.NONE else "plugin.yaml"
    located = model.fields.get("dependencies")
    if located is not None:
        value = located.value
        if value is NOT_STATIC:
            analysis.declared_known = False
        elif not isinstance(value, list):
            analysis.declared_known = False
            if model.source is not ManifestSource.PLUGIN_YAML:  # the schema rule reports plugin.yaml
                analysis.invalid.append((located.span, "dependencies must be a list of requirement strings"))
        else:
            for index, item in enumerate(value):
                span = model.span(f"/dependencies/{index}")
                if not isinstance(item, str) or not item.strip():
                    if model.source is not ManifestSource.PLUGIN_YAML:  # the schema rule reports plugin.yaml
                        analysis.invalid.append((span, f"dependency {item!r} is not a requirement string"))
                    continue
                analysis.declared.append(declared_requirement(item, span, source, python))
    if model.kind is PluginKind.BOTTLE:
        _optional_dependencies(plugin, analysis, python)


def _optional_dependencies(plugin: PluginContext, analysis: Analysis, python: Sequence[str]) -> None:
    from mbcheck.documents.pointers import join_pointer

    document = getattr(plugin.manifest, "document", None)
    value = getattr(document, "value", None)
    project = value.get("project") if isinstance(value, dict) else None
    groups = project.get("optional-dependencies") if isinstance(project, dict) else None
    if document is None or not isinstance(groups, dict):
        return
    for extra, items in groups.items():
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            span = document.span(join_pointer(("project", "optional-dependencies", extra, index)))
            if isinstance(item, str):
                analysis.declared.append(declared_requirement(item, span, "pyproject.toml", python, extra=str(extra)))


def _requirements_file(plugin: PluginContext, analysis: Analysis, python: Sequence[str]) -> None:
    if REQUIREMENTS_FILE not in plugin.files:
        return
    files = set(plugin.files)
    parsed = parse_requirements_file(REQUIREMENTS_FILE, lambda p: plugin.text(p) if p in files else None)
    analysis.requirements_present = True
    for entry in parsed.entries:
        span = Span(entry.path, entry.line, entry.column, entry.line, entry.end_column)
        if entry.requirement is None:
            analysis.invalid.append((span, f"`{entry.text}` is not a valid PEP 508 requirement: {entry.error}"))
            continue
        analysis.requirements_file.append(declared_requirement(entry.text, span, entry.path, python))
    for problem in parsed.problems:
        span = Span(problem.path, problem.line, problem.column, problem.line, problem.end_column)
        analysis.invalid.append((span, problem.message))


# ---------------------------------------------------------------------------
# imports that never run on the host: ``if TYPE_CHECKING:`` and version guards

_Ranges = list[tuple[int, int]]


def _block(body: Sequence[ast.stmt]) -> tuple[int, int] | None:
    if not body:
        return None
    return body[0].lineno, max(stmt.end_lineno or stmt.lineno for stmt in body)


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _version_info_length(node: ast.expr) -> int | None:
    """``sys.version_info`` -> 5 (its length), ``sys.version_info[:2]`` -> 2; None otherwise."""
    length = 5
    if isinstance(node, ast.Subscript):
        cut = node.slice
        if not (
            isinstance(cut, ast.Slice)
            and cut.lower is None
            and cut.step is None
            and isinstance(cut.upper, ast.Constant)
            and type(cut.upper.value) is int
        ):
            return None
        length = min(cut.upper.value, 5)
        node = node.value
    if (
        isinstance(node, ast.Attribute)
        and node.attr == "version_info"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    ):
        return length
    return None




@dataclass(frozen=True)
class Guard:
    """An ``if`` that decides whether its imports run: ``if TYPE_CHECKING:``
    (``kind="typing"``) or ``if sys.version_info[:length] <op> bound:``
    (``kind="version"``), with the line ranges of its branches.

    Taken from each file's ``ast`` tree in the per-file pass (a fact, cached
    with the file); what it means depends on the host's Pythons, which the
    plugin-level rule knows.
    """

    kind: str
    body: tuple[int, int] | None
    orelse: tuple[int, int] | None
    length: int = 0
    op: str = ""
    bound: tuple[int, ...] = ()


_OPS: dict[type[ast.cmpop], str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}


def _version_test(test: ast.expr) -> tuple[int, str, tuple[int, ...]] | None:
    """``sys.version_info[:length] <op> bound`` -> (length, op, bound); None for any other test."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    length = _version_info_length(test.left)
    op = _OPS.get(type(test.ops[0]))
    right = test.comparators[0]
    if length is None or op is None or not isinstance(right, ast.Tuple) or not 0 < len(right.elts) <= 3:
        return None
    bound: list[int] = []
    for element in right.elts:
        if not isinstance(element, ast.Constant) or type(element.value) is not int:
            return None
        bound.append(element.value)
    return length, op, tuple(bound)


def guards_of(tree: ast.Module) -> tuple[Guard, ...]:
    """Every ``TYPE_CHECKING`` and ``sys.version_info`` guard of a module (statements only: an
    ``if`` is always a statement)."""
    out: list[Guard] = []
    pending: list[ast.stmt] = list(reversed(tree.body))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If):
            if _is_type_checking(node.test):
                out.append(Guard("typing", _block(node.body), _block(node.orelse)))
            else:
                test = _version_test(node.test)
                if test is not None:
                    out.append(Guard("version", _block(node.body), _block(node.orelse), *test))
        for name in ("body", "orelse", "handlers", "finalbody", "cases"):
            value = getattr(node, name, None)
            if not value:
                continue
            for item in reversed(value):
                if isinstance(item, ast.stmt):
                    pending.append(item)
                else:  # an except handler or a match case: its body holds statements
                    pending.extend(reversed(item.body))
    return tuple(out)


def _version_outcomes(guard: Guard, pythons: Sequence[tuple[int, int]]) -> set[bool]:
    """What the guard's test gives on the host's Pythons."""
    compare = _COMPARE[guard.op]
    outcomes: set[bool] = set()
    for major, minor in pythons:
        for micro in (0, 99):  # micro releases the profile does not name
            version: tuple[int | str, ...] = (major, minor, micro, "final", 0)
            outcomes.add(bool(compare(version[: guard.length], guard.bound)))
    return outcomes


def never_run(guards: Iterable[Guard], pythons: Sequence[tuple[int, int]]) -> tuple[_Ranges, _Ranges]:
    """Line ranges under ``if TYPE_CHECKING:``, and ranges no host Python runs
    (``if sys.version_info < (3, 11):`` on a host that runs 3.11 and later)."""
    typing_only: _Ranges = []
    dead: _Ranges = []
    for guard in guards:
        if guard.kind == "typing":
            if guard.body is not None:
                typing_only.append(guard.body)
            continue
        outcomes = _version_outcomes(guard, pythons)
        block = guard.body if outcomes == {False} else guard.orelse if outcomes == {True} else None
        if block is not None:
            dead.append(block)
    return typing_only, dead


def never_run_lines(text: str, pythons: Sequence[tuple[int, int]]) -> tuple[_Ranges, _Ranges]:
    """:func:`never_run` for a module's source text."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], []
    return never_run(guards_of(tree), pythons)


def _host_pythons(plugin: PluginContext) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for text in plugin.host.python_versions:
        parts = text.split(".")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            out.append((int(parts[0]), int(parts[1])))
    return out or [(3, 11)]


def _within(line: int, ranges: _Ranges) -> bool:
    return any(start <= line <= end for start, end in ranges)


def _drop_unreachable(plugin: PluginContext, analysis: Analysis) -> None:
    """Missing imports that never run on the host are not missing."""
    if not analysis.missing:
        return
    pythons = _host_pythons(plugin)
    guards: dict[str, tuple[_Ranges, _Ranges]] = {}
    kept: list[ImportUse] = []
    for use in analysis.missing:
        if use.path not in guards:
            outcome = plugin.modules.get(use.path)
            found = outcome.facts.get("guards") if outcome is not None else None
            if found is not None:
                guards[use.path] = never_run(found, pythons)
            else:
                text = plugin.text(use.path)
                guards[use.path] = never_run_lines(text, pythons) if text else ([], [])
        typing_only, dead = guards[use.path]
        if not (_within(use.fact.span.line, typing_only) or _within(use.fact.span.line, dead)):
            kept.append(use)
    analysis.missing = kept


def _classify(
    plugin: PluginContext, analysis: Analysis, tops: set[str], provided: set[str]
) -> None:
    host = set(analysis.host)
    for path, facts in plugin.file_facts("imports"):
        if not isinstance(facts, tuple):
            continue
        dev = is_dev_file(path)
        for fact in facts:
            if not isinstance(fact, ImportFact):
                continue
            if fact.stdlib:
                analysis.imports.append(ImportUse(path, fact, ImportKind.STDLIB, None, dev))
                continue
            if fact.relative or fact.top in tops:
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
    if not analysis.declared_known or analysis.incomplete:
        return
    names = (plugin.model.name, plugin.package)
    ignored = {canonical(str(n)) for n in plugin.config.plugin_setting(names, "ignore-unused-dependencies")}
    for declared in analysis.declared:
        if declared.requirement is None or declared.extra is not None or declared.stdlib:
            continue  # a standard-library name is reported as such (MB511)
        if declared.name in ignored or declared.provides & ignored:
            continue
        if not declared.provides & analysis.used:
            analysis.unused.append(declared)


def _host_conflicts(analysis: Analysis) -> None:
    for declared in analysis.valid():
        host = analysis.host.get(declared.name)
        if host is None or not declared.active or not is_satisfiable(declared.specifier):
            continue  # an empty specifier is reported on its own
        if not intersect_satisfiable(declared.specifier, host.specifier):
            analysis.host_conflicts.append((declared, host))


def _conflict_entry(declared: Declared, other: str, other_requirement: str) -> dict[str, Any]:
    return {
        "requirement": declared.text,
        "path": declared.span.path,
        "line": declared.span.line,
        "with": other,
        "other": other_requirement,
    }


def _section(analysis: Analysis) -> dict[str, Any]:
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

    return {
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
        "conflicts": [_conflict_entry(d, "host", host.text) for d, host in analysis.host_conflicts],
    }


# ---------------------------------------------------------------------------
# the analysis

def analyse(plugin: PluginContext) -> Analysis:
    """The plugin's dependency analysis and its report section (the engine computes it
    once per plugin: rules read ``plugin.facts.dependencies``)."""
    python = plugin.host.python_versions or ("3.11",)
    analysis = Analysis(manifest_label=manifest_label(plugin))
    analysis.host = host_requirements(plugin)
    _manifest_requirements(plugin, analysis, python)
    _requirements_file(plugin, analysis, python)
    analysis.incomplete = any(not outcome.parsed for outcome in plugin.modules.values())
    provided: set[str] = set()
    for declared in analysis.declared:
        provided |= declared.provides
    _classify(plugin, analysis, first_party_tops(plugin), provided)
    _drop_unreachable(plugin, analysis)
    _unused(plugin, analysis)
    _host_conflicts(analysis)
    analysis.section = _section(analysis)
    return analysis


# ---------------------------------------------------------------------------
# reporting (with comment suppressions in requirements files and manifests)


def emit(
    plugin: PluginContext,
    rule: type[Rule] | Rule,
    span: Span,
    message: str,
    *,
    severity: Severity | None = None,
    confidence: Confidence | None = None,
    statement_line: int = 0,
) -> None:
    """Report, unless an ``# mbcheck: ignore[...]`` comment in a non-Python file covers it.

    The engine applies suppressions of Python files itself.
    """
    if span.path and not span.path.endswith(".py") and suppressed(plugin.text(span.path), span.line, rule.code):
        return
    plugin.report(rule, span, message, severity=severity, confidence=confidence, statement_line=statement_line)


def add_conflict(plugin: PluginContext, declared: Declared, other: str, other_requirement: str) -> None:
    """Record a conflict in the plugin's report section."""
    section = plugin.facts.dependencies.section
    entry = _conflict_entry(declared, other, other_requirement)
    conflicts: list[dict[str, Any]] = section.setdefault("conflicts", [])
    if entry not in conflicts:
        conflicts.append(entry)


def plugin_names(plugin: PluginContext) -> set[str]:
    """The names another plugin may use for this one (manifest name, directory), normalized."""
    return {canonical(str(plugin.model.name)), canonical(plugin.package)} - {""}


def sorted_declared(items: Iterable[Declared]) -> list[Declared]:
    return sorted(items, key=lambda d: (d.span.path, d.span.line, d.span.column, d.text))


def requires_plugins(plugin: PluginContext) -> list[tuple[str, Span]]:
    """``requires_plugins`` of the manifest: (name, span) for every string item."""
    located = plugin.model.fields.get("requires_plugins")
    if located is None or not isinstance(located.value, list):
        return []
    return [
        (item, plugin.model.span(f"/requires_plugins/{index}"))
        for index, item in enumerate(located.value)
        if isinstance(item, str) and item.strip()
    ]


def group_by_name(items: Iterable[Declared]) -> Mapping[str, list[Declared]]:
    out: dict[str, list[Declared]] = {}
    for item in items:
        if item.requirement is not None:
            out.setdefault(item.name, []).append(item)
    return out


__all__ = [
    "DEV_DIRS",
    "HOST",
    "SECTION",
    "Analysis",
    "Declared",
    "Guard",
    "HostRequirement",
    "ImportKind",
    "ImportUse",
    "add_conflict",
    "analyse",
    "declared_requirement",
    "emit",
    "first_party_tops",
    "group_by_name",
    "guards_of",
    "host_requirements",
    "import_name_distribution",
    "is_dev_file",
    "manifest_label",
    "never_run",
    "never_run_lines",
    "plugin_names",
    "requires_plugins",
    "sorted_declared",
]
