"""Compatibility rules (category ``compatibility``): the Python and MilkBottle a plugin needs.

A plugin declares ``python_version`` (the host reads a bare ``"3.11"`` as
"3.11 or newer"; mbcheck also reads a PEP 440 specifier, which the host's
validator calls invalid: MB119 reports that) and ``min_milkbottle_version``/``max_milkbottle_version``.
The collector in :mod:`mbcheck.checks.compat.collect` records what each file
needs (syntax forms, standard-library modules and members, ``milkbottle``
names) and :mod:`mbcheck.checks.compat.analysis` compares that with the
declared ranges and the host profile; the rules here read that analysis
(``plugin.facts.compatibility``) and report every mismatch at the line that
causes it.

Severity follows consequence: a mismatch that only matters on Python
releases the host profile does not run is a warning; one that breaks the
plugin on a Python the host runs is an error.

This module imports no libcst: it runs on cached facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from mbcheck.checks.compat.analysis import Analysis, backport_note, label, version_of
from mbcheck.checks.compat.facts import (
    HostApiUse,
    Minor,
    Required,
    Requirement,
    admitted_minors,
    failing_minors,
    lacks,
    minor_text,
    minors_text,
)
from mbcheck.checks.compat.tables import HostApi, host_api_catalogue
from mbcheck.checks.sites import in_tree_bottle
from mbcheck.context import PluginContext
from mbcheck.model import Category, Confidence, Fix, ManifestSource, Severity, Span
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid

#: the example manifest without its ``python_version`` line (examples declare their own)
_UNDECLARED = EXAMPLE_MANIFEST.replace('python_version: "3.11"\n', "")

# ---------------------------------------------------------------------------
# reporting requirements against the declared range


def _failing_severity(req: Requirement, failing: Sequence[Minor], host: Sequence[Minor]) -> Severity:
    """Error when the declared range lets the host load the plugin on a Python where it breaks."""
    if any(minor in host and lacks(req, minor) for minor in failing):
        return Severity.ERROR
    return Severity.WARNING


def _report_declared_mismatch(rule: PluginRule, plugin: PluginContext, bound: str) -> None:
    analysis = plugin.facts.compatibility
    if analysis.declared is None:
        return
    seen: set[tuple[str, int, int, str]] = set()
    unlocated: dict[str, tuple[Requirement, list[str], Severity, tuple[Minor, ...]]] = {}
    fix = _raise_minimum(plugin, analysis) if bound == "min" else None
    for path, req in analysis.effective():
        if req.bound != bound or id(req) in analysis.host_fatal:
            continue
        failing = failing_minors(req, analysis.declared)
        if not failing:
            continue
        severity = _failing_severity(req, failing, analysis.host)
        if not req.located:
            entry = unlocated.setdefault(req.what, (req, [], severity, failing))
            entry[1].append(path)
            continue
        key = (path, req.span.line, req.span.column, req.what)
        if key in seen:
            continue
        seen.add(key)
        plugin.report(rule, req.span, _mismatch(req, analysis, failing), severity=severity, statement_line=req.statement_line,
                      fix=fix if fix is not None else req.fix)
    span = analysis.declared_span or plugin.model.span()
    for req, paths, severity, failing in unlocated.values():
        used = ", ".join(sorted(set(paths)))
        plugin.report(rule, span, f"{_mismatch(req, analysis, failing)} (used in {used})", severity=severity, fix=fix)


def _raise_minimum(plugin: PluginContext, analysis: Analysis) -> Fix | None:
    """Raise plugin.yaml's `python_version` to the oldest release the code needs, in the host's form
    (a quoted bare `major.minor`). Unsafe: the host starts refusing the older Pythons."""
    located = plugin.model.fields.get("python_version")
    if located is None or plugin.model.source is not ManifestSource.PLUGIN_YAML or located.span.path != plugin.model.manifest_path:
        return None
    minimum = analysis.needed.minimum
    minor = f"{minimum.major}.{minimum.minor}"
    from mbcheck.checks.manifest.fixes import field_fix

    return field_fix(plugin, "python_version", minor, f'Raise python_version to "{minor}"', unsafe=True, quote=True)


def _mismatch(req: Requirement, analysis: Analysis, failing: Sequence[Minor]) -> str:
    if req.bound == "min":
        what = f"{label(req)} needs Python {minor_text(req.version)}{backport_note(req)}"
    else:
        what = f"{label(req)} was removed in Python {minor_text(req.version)}"
    return f"{what}, but {analysis.declared_label} admits {minors_text(failing)}"


# ---------------------------------------------------------------------------
# the rules


#: when MB401 and MB402 are errors rather than warnings
HOST_BREAKS = (
    "a Python the host runs is in the declared range and lacks what the code needs: the host loads the "
    "plugin there and it breaks"
)

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
    other_severities: ClassVar[Mapping[Severity, str]] = {Severity.ERROR: HOST_BREAKS}
    confidence = Confidence.HIGH
    VALID = (
        Valid("import tomllib\n\nmatch tomllib.loads('a = 1'):\n    case _:\n        pass\n"),
        Valid(
            "import sys\n\nif sys.version_info >= (3, 11):\n    import tomllib\nelse:\n    import tomli as tomllib\n",
            files={"plugin.yaml": _UNDECLARED + "python_version: '>=3.8'\n"},
        ),
        Valid(
            "try:\n    import tomllib\nexcept ImportError:\n    import tomli as tomllib\n",
            files={"plugin.yaml": _UNDECLARED + "python_version: '>=3.8'\n"},
        ),
    )
    INVALID = (
        Invalid(
            "import os\n\nmatch os.name:\n    case 'nt':\n        pass\n",
            files={"plugin.yaml": _UNDECLARED + "python_version: '>=3.8'\n"},
            line=3,
            fixed={"plugin.yaml": _UNDECLARED + 'python_version: "3.10"\n'},
        ),
        Invalid("from typing import Self\n", files={"plugin.yaml": _UNDECLARED + "python_version: '3.9'\n"}, line=1,
                fixed={"plugin.yaml": _UNDECLARED + 'python_version: "3.11"\n'}),
        Invalid("type Pair = tuple[int, int]\n", line=1,
                fixed={"plugin.yaml": EXAMPLE_MANIFEST.replace('"3.11"', '"3.12"')}),
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
    other_severities: ClassVar[Mapping[Severity, str]] = {Severity.ERROR: HOST_BREAKS}
    confidence = Confidence.HIGH
    VALID = (
        Valid("import importlib\n"),
        Valid(
            "try:\n    import imp\nexcept ImportError:\n    imp = None\n",
            files={"plugin.yaml": _UNDECLARED + "python_version: '>=3.8'\n"},
        ),
        Valid("import imp\n", files={"plugin.yaml": _UNDECLARED + "python_version: '>=3.11,<3.12'\n"}),
    )
    INVALID = (
        Invalid("import imp\n", files={"plugin.yaml": _UNDECLARED + "python_version: '>=3.8'\n"}, line=1),
        Invalid(
            "import imp\nimport json\n\n\ndef again(module):\n    return imp.reload(module)\n",
            files={"plugin.yaml": _UNDECLARED + "python_version: '>=3.8'\n"},
            line=1,
            fixed="import importlib\nimport json\n\n\ndef again(module):\n    return importlib.reload(module)\n",
        ),
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
        Invalid("import parser\n", files={"plugin.yaml": _UNDECLARED + "python_version: '>=3.8'\n"}, line=1),
        Invalid(
            "import imp\n\ntype Pair = tuple[int, int]\n",
            files={"plugin.yaml": _UNDECLARED + "python_version: '>=3.12'\n"},
            line=1,
        ),
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
    VALID = (
        Valid(files={"plugin.yaml": _UNDECLARED + "python_version: '>=3.8'\n"}),
        Valid(files={"plugin.yaml": _UNDECLARED + "python_version: '3.11'\n"}),
    )
    INVALID = (
        Invalid(files={"plugin.yaml": _UNDECLARED + "python_version: '<3.10'\n"}, path="plugin.yaml", line=9),
        Invalid(files={"plugin.yaml": _UNDECLARED + "python_version: '>=3.12,<3.11'\n"}, path="plugin.yaml", line=9),
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
            f"{analysis.declared_label} {what}, but the host profile {plugin.host.name} runs Python "
            f"{minors_text(analysis.host)}",
        )


class PythonVersionUndeclared(PluginRule):
    """The plugin does not declare `python_version`; mbcheck suggests one from the code.

    The suggestion is the oldest release the code needs (syntax and standard
    library, guards respected), written the way the host reads it: a bare,
    quoted `major.minor` in `plugin.yaml` (`python_version: "3.11"`; the
    host's validator calls a specifier such as `">=3.11"` invalid and
    enforces nothing). The host cannot express an upper bound; when the code
    uses modules a later Python removed, the message names that release. A
    bottle's `pyproject.toml` gets a `requires-python` specifier. Warning
    when the code cannot run on some Python the host profile runs;
    information otherwise. A plugin with only `__init__.py` dunders is
    reported only in the warning case: no dunder carries it.
    Why: `python_version` tells users (and the host's
    `plugin_system.validation`, the only host code that reads it) which
    Python the plugin needs; without it the user meets a `SyntaxError` or
    `ImportError` instead of a clear requirement. The install and discovery
    path (`PluginManager`) does not read it.
    Instead: add the suggested `python_version` to `plugin.yaml` (a bottle:
    `requires-python` to its distribution's `pyproject.toml`; a bottle inside
    MilkBottle's own `milkbottle/modules/` has the host's and is not reported).
    """

    needs_manifest = True
    code = "MB405"
    name = "python-version-undeclared"
    category = Category.COMPATIBILITY
    severity = Severity.INFO
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "the code fails on a Python the host profile runs",
    }
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("x = 1\n", files={"plugin.yaml": _UNDECLARED + "python_version: '3.11'\n"}),
        Valid('"""Dunders only: no dunder carries a Python requirement."""\n__version__ = "1.0"\n', bare=True),
    )
    INVALID = (
        Invalid(files={"__init__.py": "match 1:\n    case _:\n        pass\n", "plugin.yaml": _UNDECLARED}, path="plugin.yaml",
                line=1, fixed={"plugin.yaml": _UNDECLARED + 'python_version: "3.10"\n'}),
        Invalid(files={"__init__.py": "type Pair = tuple[int, int]\n", "plugin.yaml": _UNDECLARED}, path="plugin.yaml",
                fixed={"plugin.yaml": _UNDECLARED + 'python_version: "3.12"\n'}),

    )

    def check(self, plugin: PluginContext) -> None:
        model = plugin.model
        if model.source is ManifestSource.NONE or "python_version" in model.fields or in_tree_bottle(plugin):
            return  # an in-tree bottle runs on whatever the host's own requires-python allows
        analysis = plugin.facts.compatibility
        needed = analysis.needed
        breaks = [minor for minor in analysis.host if not needed.runs_on(minor)]
        if len(breaks) == len(analysis.host) and analysis.host:
            return  # MB403 says the code cannot run on this host at all
        if model.source is ManifestSource.DUNDERS and not breaks:
            return  # nothing to gain: no dunder carries it, and the code runs on every host Python
        if model.source is ManifestSource.PYPROJECT:
            message = (
                f"no requires-python declared; the code needs Python {needed.specifier()}: "
                f'declare requires-python = "{needed.specifier()}"'
            )
        else:
            minor = f"{needed.minimum.major}.{needed.minimum.minor}"
            message = f'no python_version declared; the code needs Python {minor} or newer: declare python_version: "{minor}"'
            if model.source is ManifestSource.DUNDERS:
                message += " in a plugin.yaml (no dunder carries it)"
            if needed.max_text is not None:
                message += (
                    f" (the code also needs Python {needed.max_text}, which the host's python_version cannot express)"
                )
        severity = Severity.INFO
        if breaks:
            severity = Severity.WARNING
            message += f"; the code fails on Python {minors_text(breaks)}, which the host profile runs"
        plugin.report(self, model.span(), message, severity=severity, fix=self.fix(plugin, needed))

    def fix(self, plugin: PluginContext, needed: Required) -> Fix | None:
        """Declare the computed minimum where the host reads it: `python_version: "3.X"` in plugin.yaml,
        `requires-python` in a bottle's pyproject.toml. Unsafe: the host starts refusing older Pythons.
        A dunder-only plugin gets none (no plugin.yaml is created)."""
        from mbcheck.checks.manifest.fixes import field_fix, set_scalar, toml_fix

        source = plugin.model.source
        if source is ManifestSource.PYPROJECT:
            specifier = needed.specifier()
            return toml_fix(plugin, ("project",), "requires-python", set_scalar("requires-python", specifier),
                            f'Declare requires-python = "{specifier}"', unsafe=True)
        if source is not ManifestSource.PLUGIN_YAML:
            return None
        minor = f"{needed.minimum.major}.{needed.minimum.minor}"
        return field_fix(plugin, "python_version", minor, f'Declare python_version: "{minor}"', unsafe=True, quote=True)


class UnknownHostApi(PluginRule):
    """The plugin imports a `milkbottle` name that does not exist where it claims to run.

    Every name the plugin imports or uses from `milkbottle` must be in the
    host profile's `public_api` (error otherwise: for example
    `from milkbottle.internal import x`, or
    `from milkbottle.plugin_system.core import NotAThing`), and in every
    catalogued MilkBottle release (each host profile's `public_api`) between
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
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "the name is missing only from an older MilkBottle that the declared range admits",
    }
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("from milkbottle.plugin_system.core import PluginInterface, PluginMetadata\n"),
        Valid("import milkbottle.plugin_system\n\nBase = milkbottle.plugin_system.PluginInterface\n"),
        Valid("try:\n    from milkbottle.plugin_system import NewThing\nexcept ImportError:\n    NewThing = None\n"),
        Valid(
            "from milkbottle.errors import PluginError\n",
            files={"plugin.yaml": EXAMPLE_MANIFEST + "min_milkbottle_version: 1.0.0\nmax_milkbottle_version: 1.9.0\n"},
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
    low = version_of(low_located) if low_located is not None else plugin.host.version
    high = version_of(high_located)
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
    "DeclaredPythonOutsideHost",
    "PythonFeatureAboveDeclared",
    "PythonIncompatibleWithHost",
    "PythonVersionUndeclared",
    "RemovedStdlibInDeclaredRange",
    "UnknownHostApi",
    "check_host_api",
]
