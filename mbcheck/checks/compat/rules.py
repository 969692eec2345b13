"""Compatibility rules (category ``compatibility``): the Python and MilkBottle a plugin needs.

A plugin declares ``python_version`` (a PEP 440 specifier; a bare ``3.11``
means ``>=3.11``) and ``min_milkbottle_version``/``max_milkbottle_version``.
The collector in :mod:`mbcheck.checks.compat.collect` records what each file
needs (syntax forms, standard-library modules and members, ``milkbottle``
names); the rules here compare that with the declared ranges and with the
host profile, and report every mismatch at the line that causes it.

Severity follows consequence: a mismatch that only matters on Python
releases the host profile does not run is a warning; one that breaks the
plugin on a Python the host runs is an error.

This module imports no libcst: it runs on cached facts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from mbcheck.checks.compat.facts import (
    FACT_KEY,
    CompatFacts,
    HostApi,
    HostApiUse,
    Minor,
    Required,
    Requirement,
    admitted_minors,
    failing_minors,
    feature,
    host_api_catalogue,
    host_api_from,
    host_minors,
    lacks,
    minor_text,
    minors_text,
    required,
)
from mbcheck.checks.manifest.rules_fields import parse_python_spec
from mbcheck.context import PluginContext
from mbcheck.model import Category, Confidence, Located, ManifestSource, Severity, Span
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid

SECTION = "compatibility"


def _yaml(extra: str = "", drop: tuple[str, ...] = ()) -> str:
    lines = [line for line in EXAMPLE_MANIFEST.splitlines() if line.split(":", 1)[0] not in drop]
    return "\n".join(lines) + "\n" + extra


def _declaring(python_version: str | None) -> dict[str, str]:
    """An example manifest declaring ``python_version`` (or none)."""
    extra = "" if python_version is None else f"python_version: '{python_version}'\n"
    return {"plugin.yaml": _yaml(extra, drop=("python_version",))}


# ---------------------------------------------------------------------------
# the analysis shared by the rules


def label(req: Requirement) -> str:
    """How a message names what a requirement is about."""
    if req.kind == "syntax":
        return feature(req.what).label()
    if req.kind == "module":
        return f"module `{req.what}`"
    name = req.what.removeprefix("builtins.")
    return f"`{name}`"


def _backport_note(req: Requirement) -> str:
    if not req.backported:
        return ""
    patches = ", ".join(".".join(str(p) for p in patch) for patch in sorted(req.backported, reverse=True))
    return f" (or a patch release from {patches})"


@dataclass
class Analysis:
    declared_text: str | None = None
    declared: SpecifierSet | None = None
    declared_span: Span | None = None
    requirements: list[tuple[str, Requirement]] = field(default_factory=list)
    needed: Required = field(default_factory=lambda: required(()))
    host: tuple[Minor, ...] = ()
    #: requirements no Python of the host profile satisfies (MB403), by identity
    host_fatal: dict[int, str] = field(default_factory=dict)
    host_api: list[tuple[str, HostApiUse]] = field(default_factory=list)
    unknown_api: list[tuple[str, HostApiUse, str]] = field(default_factory=list)
    milkbottle: dict[str, Located] = field(default_factory=dict)
    #: the report's ``compatibility`` section
    section: dict[str, Any] = field(default_factory=dict)

    def effective(self) -> Iterator[tuple[str, Requirement]]:
        """Requirements that raise what the code needs (not guarded)."""
        return ((path, req) for path, req in self.requirements if not req.guarded)


def analyse(plugin: PluginContext) -> Analysis:
    """The plugin's compatibility and its report section (the engine computes it
    once per plugin: rules read ``plugin.facts.compatibility``)."""
    analysis = _analyse(plugin)
    analysis.section = _section(plugin, analysis)
    return analysis


def _analyse(plugin: PluginContext) -> Analysis:
    analysis = Analysis()
    located = plugin.model.fields.get("python_version")
    if located is not None and isinstance(located.value, str):
        analysis.declared_text = located.value
        analysis.declared_span = located.span
        try:
            analysis.declared = parse_python_spec(located.value)
        except (InvalidSpecifier, InvalidVersion):
            analysis.declared = None  # MB108 reports it
    for path, facts in plugin.file_facts(FACT_KEY):
        if not isinstance(facts, CompatFacts):
            continue
        analysis.requirements.extend((path, req) for req in facts.requirements)
        analysis.host_api.extend((path, use) for use in facts.host_api)
    analysis.needed = required(req for _, req in analysis.requirements)
    analysis.host = host_minors(plugin.host.python_specifier, plugin.host.python_versions)
    _host_fatal(analysis)
    profile_api = _profile_api(plugin)
    for path, use in analysis.host_api:
        missing = profile_api.missing(use.name)
        if missing is not None:
            analysis.unknown_api.append((path, use, missing))
    for key in ("min_milkbottle_version", "max_milkbottle_version"):
        value = plugin.model.fields.get(key)
        if value is not None and isinstance(value.value, str):
            analysis.milkbottle[key] = value
    return analysis


def _host_fatal(analysis: Analysis) -> None:
    host = analysis.host
    if not host:
        return
    effective = list(analysis.effective())
    for _path, req in effective:
        if all(lacks(req, minor) for minor in host):
            analysis.host_fatal[id(req)] = (
                f"{label(req)} needs Python {minor_text(req.version)}{_backport_note(req)}"
                if req.bound == "min"
                else f"{label(req)} was removed in Python {minor_text(req.version)}"
            ) + f", but the host profile runs Python {minors_text(host)}"
    if any(analysis.needed.runs_on(minor) for minor in host):
        return
    # each requirement alone fits the host, together they exclude every release
    newest = max(
        ((path, req) for path, req in effective if req.bound == "min" and id(req) not in analysis.host_fatal),
        key=lambda item: item[1].version,
        default=None,
    )
    if newest is None:
        return
    for _path, req in effective:
        if req.bound == "max" and id(req) not in analysis.host_fatal and req.version <= newest[1].version:
            where = f"{newest[0]}:{newest[1].span.line}" if newest[1].located else newest[0]
            analysis.host_fatal[id(req)] = (
                f"{label(req)} was removed in Python {minor_text(req.version)}, but the code also needs "
                f"Python {minor_text(newest[1].version)} ({label(newest[1])}, {where}): no Python runs both"
            )


def _profile_api(plugin: PluginContext) -> HostApi:
    return host_api_from(plugin.host.public_api, plugin.host.version, f"host profile {plugin.host.name}")


def _version(located: Located | None) -> Version | None:
    if located is None:
        return None
    try:
        return Version(located.value)
    except (InvalidVersion, TypeError):
        return None


def _host_in_range(plugin: PluginContext, analysis: Analysis) -> bool:
    host = plugin.host.version
    if host is None:
        return True
    low = _version(analysis.milkbottle.get("min_milkbottle_version"))
    high = _version(analysis.milkbottle.get("max_milkbottle_version"))
    return (low is None or low <= host) and (high is None or host <= high)


def _section(plugin: PluginContext, analysis: Analysis) -> dict[str, Any]:
    declared_ok = analysis.declared is None or any(admitted in analysis.host for admitted in admitted_minors(analysis.declared))
    code_ok = not analysis.host or any(analysis.needed.runs_on(minor) for minor in analysis.host)
    milkbottle = {
        "min": _text(analysis.milkbottle.get("min_milkbottle_version")),
        "max": _text(analysis.milkbottle.get("max_milkbottle_version")),
    }
    return {
        "python_declared": analysis.declared_text,
        "python_required": {"min": analysis.needed.min_text, "max": analysis.needed.max_text},
        "milkbottle_declared": milkbottle,
        "host_ok": bool(
            _host_in_range(plugin, analysis) and declared_ok and code_ok and not analysis.unknown_api
        ),
    }


def _text(located: Located | None) -> str | None:
    return None if located is None else str(located.value)


def _declared_label(analysis: Analysis) -> str:
    return f"python_version {analysis.declared_text!r}"


def _failing_severity(req: Requirement, failing: Sequence[Minor], analysis: Analysis) -> Severity:
    """Error when the declared range lets the host load the plugin on a Python where it breaks."""
    if any(minor in analysis.host and lacks(req, minor) for minor in failing):
        return Severity.ERROR
    return Severity.WARNING


def _report_declared_mismatch(rule: PluginRule, plugin: PluginContext, bound: str) -> None:
    analysis = plugin.facts.compatibility
    if analysis.declared is None:
        return
    seen: set[tuple[str, int, int, str]] = set()
    unlocated: dict[str, tuple[Requirement, list[str], Severity, tuple[Minor, ...]]] = {}
    for path, req in analysis.effective():
        if req.bound != bound or id(req) in analysis.host_fatal:
            continue
        failing = failing_minors(req, analysis.declared)
        if not failing:
            continue
        severity = _failing_severity(req, failing, analysis)
        if not req.located:
            entry = unlocated.setdefault(req.what, (req, [], severity, failing))
            entry[1].append(path)
            continue
        key = (path, req.span.line, req.span.column, req.what)
        if key in seen:
            continue
        seen.add(key)
        plugin.report(rule, req.span, _mismatch(req, analysis, failing), severity=severity, statement_line=req.statement_line)
    span = analysis.declared_span or plugin.model.span()
    for req, paths, severity, failing in unlocated.values():
        used = ", ".join(sorted(set(paths)))
        plugin.report(rule, span, f"{_mismatch(req, analysis, failing)} (used in {used})", severity=severity)


def _mismatch(req: Requirement, analysis: Analysis, failing: Sequence[Minor]) -> str:
    if req.bound == "min":
        what = f"{label(req)} needs Python {minor_text(req.version)}{_backport_note(req)}"
    else:
        what = f"{label(req)} was removed in Python {minor_text(req.version)}"
    return f"{what}, but {_declared_label(analysis)} admits {minors_text(failing)}"


# ---------------------------------------------------------------------------
# the rules


class PythonFeatureAboveDeclared(PluginRule):
    """The code uses a syntax form or standard-library name newer than `python_version` admits.

    Each use is reported at its own line with the feature, the release that
    introduced it and the declared range. Uses under a version check
    (`if sys.version_info >= (3, 11):`), in a `try` body whose handler catches
    `ImportError`, behind `hasattr(module, "name")` or under `TYPE_CHECKING`
    do not count; syntax always counts, because a file that does not parse
    fails before any check runs. Error when the host profile runs one of the
    releases that break; warning otherwise.
    Why: the host loads a plugin on any Python its `python_version` admits;
    on an older one the import fails with a `SyntaxError`, `ImportError` or
    `AttributeError` instead of a clear "needs a newer Python".
    Instead: raise `python_version` to the release named in the message, or
    guard the use (`if sys.version_info >= (3, 11):` with a fallback, or
    `try: import tomllib` / `except ImportError: import tomli as tomllib`).
    """

    code = "MB401"
    name = "python-feature-above-declared"
    category = Category.COMPATIBILITY
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (
        Valid("import tomllib\n\nmatch tomllib.loads('a = 1'):\n    case _:\n        pass\n"),
        Valid(
            "import sys\n\nif sys.version_info >= (3, 11):\n    import tomllib\nelse:\n    import tomli as tomllib\n",
            files=_declaring(">=3.8"),
        ),
        Valid("try:\n    import tomllib\nexcept ImportError:\n    import tomli as tomllib\n", files=_declaring(">=3.8")),
    )
    INVALID = (
        Invalid("import os\n\nmatch os.name:\n    case 'nt':\n        pass\n", files=_declaring(">=3.8"), line=3),
        Invalid("from typing import Self\n", files=_declaring("3.9"), line=1),
        Invalid("type Pair = tuple[int, int]\n", line=1),
    )

    def check(self, plugin: PluginContext) -> None:
        _report_declared_mismatch(self, plugin, "min")


class RemovedStdlibInDeclaredRange(PluginRule):
    """The code uses a standard-library module or name removed in a release `python_version` admits.

    For example `import imp` with `python_version: ">=3.8"`: `imp` was
    removed in Python 3.12, which the range admits. Imports in a `try` body
    whose handler catches `ImportError`, and code under a version check such
    as `if sys.version_info < (3, 12):`, do not count. Error when the host
    profile runs one of those releases; warning otherwise.
    Why: on the newer Python the import fails and the plugin does not load,
    although its manifest says it supports that Python.
    Instead: move to the replacement the Python release notes name (`imp` ->
    `importlib`, `distutils` -> `setuptools`/`packaging`), guard the use, or
    add an upper bound to `python_version` (`>=3.8,<3.12`).
    """

    code = "MB402"
    name = "removed-stdlib-in-declared-range"
    category = Category.COMPATIBILITY
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (
        Valid("import importlib\n"),
        Valid("try:\n    import imp\nexcept ImportError:\n    imp = None\n", files=_declaring(">=3.8")),
        Valid("import imp\n", files=_declaring(">=3.11,<3.12")),
    )
    INVALID = (
        Invalid("import imp\n", files=_declaring(">=3.8"), line=1),
        Invalid("import os\n\nfrom distutils.util import strtobool\n", line=3),
    )

    def check(self, plugin: PluginContext) -> None:
        _report_declared_mismatch(self, plugin, "max")


class PythonIncompatibleWithHost(PluginRule):
    """The code cannot run on any Python release the host profile runs.

    A syntax form or module newer than every release of the host, a module
    removed before its oldest one, or requirements that exclude each other
    (a module removed in 3.12 and syntax that needs 3.12).
    Why: whatever the manifest declares, the plugin fails to import on this
    host: its Python range is fixed (the host profile's `requires_python`).
    Instead: replace the code that needs the other release (the message names
    it), or check against a host profile that runs a suitable Python.
    """

    code = "MB403"
    name = "python-incompatible-with-host"
    category = Category.COMPATIBILITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (Valid("import asyncio\n\nasync def main():\n    async with asyncio.TaskGroup() as group:\n        pass\n"),)
    INVALID = (
        Invalid("import parser\n", files=_declaring(">=3.8"), line=1),
        Invalid("import imp\n\ntype Pair = tuple[int, int]\n", files=_declaring(">=3.12"), line=1),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.compatibility
        for path, req in analysis.effective():
            message = analysis.host_fatal.get(id(req))
            if message is None:
                continue
            span = req.span if req.located else Span(path)
            plugin.report(self, span, message, statement_line=req.statement_line)


class DeclaredPythonOutsideHost(PluginRule):
    """`python_version` admits no Python release the host profile runs.

    For example `python_version: "<3.10"` against a host that requires
    Python 3.11 or newer, or a range that admits nothing (`>=3.12,<3.11`).
    Why: the host never runs the plugin, or runs it against its own
    declaration; either the manifest or the plugin's target host is wrong.
    Instead: declare the range the code really supports (the `compatibility`
    section of the JSON report gives what the code needs).
    """

    code = "MB404"
    name = "declared-python-outside-host"
    category = Category.COMPATIBILITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (Valid(files=_declaring(">=3.8")), Valid(files=_declaring("3.11")))
    INVALID = (
        Invalid(files=_declaring("<3.10"), path="plugin.yaml", line=9),
        Invalid(files=_declaring(">=3.12,<3.11"), path="plugin.yaml", line=9),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.compatibility
        if analysis.declared is None or not analysis.host:
            return
        admitted = admitted_minors(analysis.declared)
        if any(minor in analysis.host for minor in admitted):
            return
        span = analysis.declared_span or plugin.model.span()
        what = f"admits Python {minors_text(admitted)}" if admitted else "admits no Python release at all"
        plugin.report(
            self,
            span,
            f"{_declared_label(analysis)} {what}, but the host profile {plugin.host.name} runs Python "
            f"{minors_text(analysis.host)}",
        )


class PythonVersionUndeclared(PluginRule):
    """The plugin does not declare `python_version`; mbcheck suggests one from the code.

    The suggestion is the oldest release the code needs (syntax and
    standard library, guards respected) and, when it uses removed modules,
    the release that removed them as an upper bound. Warning when the code
    cannot run on some Python the host profile runs; information otherwise.
    Why: without it the host loads the plugin on any Python and the user
    meets a `SyntaxError` or `ImportError` instead of a clear requirement.
    Instead: add the suggested `python_version` to `plugin.yaml` (or
    `requires-python` to `pyproject.toml`).
    """

    code = "MB405"
    name = "python-version-undeclared"
    category = Category.COMPATIBILITY
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    VALID = (Valid("x = 1\n", files=_declaring(">=3.11")),)
    INVALID = (
        Invalid("match 1:\n    case _:\n        pass\n", files=_declaring(None), path="plugin.yaml", line=1),
        Invalid("type Pair = tuple[int, int]\n", files=_declaring(None), path="plugin.yaml"),
    )

    def check(self, plugin: PluginContext) -> None:
        model = plugin.model
        if model.source is ManifestSource.NONE or "python_version" in model.fields:
            return
        analysis = plugin.facts.compatibility
        needed = analysis.needed
        breaks = [minor for minor in analysis.host if not needed.runs_on(minor)]
        if len(breaks) == len(analysis.host) and analysis.host:
            return  # MB403 says the code cannot run on this host at all
        where = "requires-python" if model.source is ManifestSource.PYPROJECT else "python_version"
        message = f"no {where} declared; the code needs Python {needed.specifier()}: declare {where}: \"{needed.specifier()}\""
        if model.source is ManifestSource.DUNDERS:
            message += " in a plugin.yaml (the metadata dunders have no field for it)"
        severity = Severity.INFO
        if breaks:
            severity = Severity.WARNING
            message += f" (without it the host also loads the plugin on Python {minors_text(breaks)}, where it fails)"
        plugin.report(self, model.span(), message, severity=severity)


class UnknownHostApi(PluginRule):
    """The plugin imports a `milkbottle` name that does not exist where it claims to run.

    Every name the plugin imports or uses from `milkbottle` must be in the
    host profile's `public_api` (error otherwise: for example
    `from milkbottle.internal import x`, or
    `from milkbottle.plugin_system.core import NotAThing`), and in every
    catalogued MilkBottle release (`rules/host-api/`) between
    `min_milkbottle_version` (the host profile's version when no minimum is
    declared) and `max_milkbottle_version` (warning otherwise). Imports in a
    `try` body whose handler catches `ImportError` do not count.
    Why: the import fails on that host, or depends on internals that change
    without notice between MilkBottle releases.
    Instead: use the public API (`milkbottle.plugin_system`,
    `milkbottle.config`, `milkbottle.utils`, `milkbottle.errors`), narrow the
    declared MilkBottle range to releases that have the name, or guard an
    optional import with `try`/`except ImportError`.
    """

    code = "MB406"
    name = "unknown-host-api"
    category = Category.COMPATIBILITY
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("from milkbottle.plugin_system.core import PluginInterface, PluginMetadata\n"),
        Valid("import milkbottle.plugin_system\n\nBase = milkbottle.plugin_system.PluginInterface\n"),
        Valid("try:\n    from milkbottle.plugin_system import NewThing\nexcept ImportError:\n    NewThing = None\n"),
        Valid(
            "from milkbottle.errors import PluginError\n",
            files={"plugin.yaml": _yaml("min_milkbottle_version: 1.0.0\nmax_milkbottle_version: 1.9.0\n")},
        ),
    )
    INVALID = (
        Invalid("from milkbottle.internal import loader\n", line=1),
        Invalid("from milkbottle.plugin_system.core import PluginInterface, NotAThing\n", line=1),
        Invalid("import milkbottle\n\nmanager = milkbottle.plugin_system.core.Loader()\n", line=3),
    )

    def check(self, plugin: PluginContext) -> None:
        check_host_api(self, plugin, host_api_catalogue())


def check_host_api(rule: PluginRule, plugin: PluginContext, catalogue: Sequence[HostApi]) -> None:
    """Report ``milkbottle`` names missing from the host profile or a release in the declared range."""
    analysis = plugin.facts.compatibility
    seen: set[tuple[str, int, int, str]] = set()

    def once(path: str, use: HostApiUse, missing: str) -> bool:
        key = (path, use.span.line, use.span.column, missing)
        if key in seen:
            return False
        seen.add(key)
        return True

    for path, use, missing in analysis.unknown_api:
        if not once(path, use, missing):
            continue
        parent, _, last = missing.rpartition(".")
        if parent in plugin.host.public_api and "." in parent:
            message = f"`{last}` is not a public name of `{parent}` in the host profile {plugin.host.name}"
        else:
            message = f"`{missing}` is not part of MilkBottle's public API (host profile {plugin.host.name})"
        plugin.report(rule, use.span, message, statement_line=use.statement_line)

    low_located = analysis.milkbottle.get("min_milkbottle_version")
    high_located = analysis.milkbottle.get("max_milkbottle_version")
    low = _version(low_located) if low_located is not None else plugin.host.version
    high = _version(high_located)
    if (low_located is not None and low is None) or (high_located is not None and high is None):
        return  # MB107: not a version
    if low is not None and high is not None and low > high:
        return  # MB107: inverted
    declared = f"{low} to {high}" if high is not None else f"{low} and newer"
    for api in catalogue:
        if api.version is None or (low is not None and api.version < low) or (high is not None and api.version > high):
            continue
        for path, use in analysis.host_api:
            absent = api.missing(use.name)
            if absent is None or not once(path, use, absent):
                continue
            plugin.report(
                rule,
                use.span,
                f"`{absent}` is not in MilkBottle {api.version}, which the declared MilkBottle range "
                f"({declared}) admits",
                severity=Severity.WARNING,
                statement_line=use.statement_line,
            )


__all__ = [
    "Analysis",
    "DeclaredPythonOutsideHost",
    "PythonFeatureAboveDeclared",
    "PythonIncompatibleWithHost",
    "PythonVersionUndeclared",
    "RemovedStdlibInDeclaredRange",
    "UnknownHostApi",
    "analyse",
    "check_host_api",
    "label",
]
