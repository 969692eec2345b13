"""Dependency rules (category ``dependency``): what a plugin declares against what it imports.

Every plugin is installed into the host's one environment, beside the host's
own requirements and every other plugin's. The host "verifies" a plugin's
dependencies by ``__import__``-ing each requirement string, which runs code
and fails for ``Pillow``, ``PyYAML`` or any version specifier; these rules
check them statically instead, from the plugin's dependency facts
(:mod:`mbcheck.checks.deps.analysis`):

* MB500 invalid requirements; MB509 sources that disagree
  (``requirements.txt``, a bottle's literal ``get_dependencies()``);
* MB501 imports no declared requirement (nor the host) provides; MB502
  declared requirements nothing imports;
* MB503 conflicts with the host's requirements, MB504 specifiers no version
  satisfies.

The other dependency rules: names (MB508 look-alikes, MB511 import names) in
:mod:`mbcheck.checks.deps.rules_names`, known vulnerabilities (MB510) in
:mod:`mbcheck.checks.deps.rules_advisories`, and the plugins of one run
(MB505 conflicts between them, MB506/MB507 ``requires_plugins``) in
:mod:`mbcheck.checks.deps.rules_plugins`.

Imports map to distributions through ``rules/deps/import-map.json`` and the
installed distributions' metadata (see :mod:`mbcheck.checks.deps.imports`); names
are compared PEP 503 normalized. Files under ``tests/``, ``docs/``, test
modules and ``setup.py`` are never loaded by the host: their imports count as
uses but are never missing. ``# mbcheck: ignore[MB5xx]`` works on the import
line, and on the requirement's line in ``requirements.txt``, ``plugin.yaml``
and ``pyproject.toml``. This module imports no libcst.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from mbcheck.checks.deps.declarations import declared_requirement
from mbcheck.checks.deps.emit import emit
from mbcheck.checks.deps.facts import (
    HOST,
    Analysis,
    Declared,
    ImportUse,
    group_by_name,
    sorted_declared,
)
from mbcheck.checks.deps.names import misspelt
from mbcheck.checks.deps.specifiers import intersect_satisfiable, is_satisfiable
from mbcheck.context import PluginContext
from mbcheck.model import Category, Confidence, ManifestSource, PluginKind, Severity, Span
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid

#: the example manifest with a ``dependencies`` list: its items start on line 11
DEPENDENCIES = EXAMPLE_MANIFEST + "dependencies:\n"


# ---------------------------------------------------------------------------
# MB500


class InvalidRequirement(PluginRule):
    """A declared dependency is not a valid PEP 508 requirement.

    Checked in the manifest the host reads (`plugin.yaml` `dependencies`,
    `__dependencies__`, or `[project].dependencies` of a bottle) and in
    `requirements.txt` (with the files it includes with `-r`; options,
    paths and URLs without a name are skipped, as pip installs them).
    Why: installers cannot install what they cannot parse, and mbcheck cannot
    check it against the host or the code; the host's own check
    (`__import__` of the whole string) fails on every requirement with a
    version specifier anyway.
    Instead: write a PEP 508 requirement: `requests>=2.31`,
    `PyYAML>=6; python_version >= "3.11"`, `pkg[extra]==1.2.*`.
    """

    code = "MB500"
    name = "invalid-requirement"
    category = Category.DEPENDENCY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(files={"plugin.yaml": DEPENDENCIES + '  - requests[socks]>=2.31\n  - rich>=13; python_version >= "3.11"\n'}),
        Valid(files={"requirements.txt": "# pinned\n-i https://pypi.org/simple\nrequests==2.32.3 --hash=sha256:abc\n"}),
    )
    INVALID = (
        Invalid(files={"plugin.yaml": DEPENDENCIES + "  - requests>=>2\n"}, path="plugin.yaml", line=11),
        Invalid(files={"requirements.txt": "requests\nrich 13\n"}, path="requirements.txt", line=2),
        Invalid('__version__ = "1.0"\n__author__ = "A"\n__dependencies__ = ["click", "py yaml"]\n', bare=True, line=3),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.dependencies
        for declared in analysis.declared:
            if declared.requirement is None:
                emit(
                    plugin,
                    self,
                    declared.span,
                    f"`{declared.text}` is not a valid PEP 508 requirement: {declared.error}",
                )
        for span, message in analysis.invalid:
            emit(plugin, self, span, message)


# ---------------------------------------------------------------------------
# MB501


class MissingDependency(PluginRule):
    """The code imports a third-party distribution that is neither declared nor provided by the host.

    Every absolute import (`import a.b.c`, `from a import b`, also inside
    functions) is classified: standard library, the plugin's own modules
    (relative imports, the plugin package, its top-level modules and `src/`
    packages), provided by the host (its requirements, e.g. `yaml` from
    PyYAML, `PIL` from Pillow, `fitz` from PyMuPDF, and `milkbottle` itself),
    declared, or missing. An import at module level is an error (the plugin
    cannot load without it); inside a function a warning (it fails when
    called); guarded by `try/except ImportError` it is optional (info).
    Imports that never run on the host are not checked: those in tests, docs
    and `setup.py`, under `if TYPE_CHECKING:`, and in branches of
    `if sys.version_info ...` that no Python of the host profile takes
    (`import tomli` under `sys.version_info < (3, 11)`).
    Why: the installer installs what the manifest declares; whatever else
    the code imports works only where it happens to be installed already.
    Instead: add the distribution named in the message to the manifest's
    `dependencies` (or use `# mbcheck: ignore[MB501]` on the import line for
    something the host environment is known to provide).
    """

    code = "MB501"
    name = "missing-dependency"
    category = Category.DEPENDENCY
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "the import runs only when a function that holds it is called",
        Severity.INFO: "the import is optional (inside `try`/`except ImportError`)",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("import os\nimport yaml\nimport click\nfrom PIL import Image\nfrom milkbottle.plugin_system import PluginInterface\nfrom . import helpers\n"),
        Valid("import requests\n", files={"plugin.yaml": DEPENDENCIES + "  - requests>=2.31\n"}),
        Valid("from google.cloud import storage\n", files={"plugin.yaml": DEPENDENCIES + "  - google-cloud-storage\n"}),
        Valid("import pytest\n", path="tests/test_example.py"),
        Valid(
            "import sys\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from mypy_boto3_s3 import S3Client\n"
            "if sys.version_info >= (3, 11):\n    import tomllib\nelse:\n    import tomli as tomllib\n"
        ),
    )
    INVALID = (
        Invalid("import requests\n", line=1),
        Invalid("def fetch(url):\n    import httpx\n    return httpx.get(url)\n", line=2),
        Invalid("try:\n    import ujson as json\nexcept ImportError:\n    import json\n", line=2),
        Invalid("from bs4 import BeautifulSoup\n", files={"plugin.yaml": DEPENDENCIES + "  - requests\n"}, line=1),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.dependencies
        for use in analysis.missing:
            severity, where = self._severity(use)
            guessed = use.resolution is not None and use.resolution.source == "name"
            fact = use.fact
            source = fact.source_module
            if source and fact.module.startswith(source + "."):
                statement = f"from {source} import {fact.module[len(source) + 1:]}"
            else:
                statement = f"import {fact.module}"
            typo = next((d for d in analysis.declared if d.name and misspelt(d.name, use.distribution)), None)
            hint = f" (is `{typo.text}` at {typo.location()} a misspelling of it?)" if typo is not None else ""
            emit(
                plugin,
                self,
                fact.span,
                f"`{statement}` needs `{use.distribution}`, which is not declared ({where}); "
                f"add it to {analysis.manifest_label}{hint}",
                severity=severity,
                confidence=Confidence.MEDIUM if guessed else Confidence.HIGH,
                statement_line=use.fact.statement_line,
            )

    @staticmethod
    def _severity(use: ImportUse) -> tuple[Severity, str]:
        if use.fact.optional:
            return Severity.INFO, "optional: the import is guarded by `except ImportError`"
        if use.fact.at_module_level:
            return Severity.ERROR, "imported at module level: the plugin cannot load without it"
        return Severity.WARNING, "imported inside a function: it fails when called"


# ---------------------------------------------------------------------------
# MB502


class UnusedDependency(PluginRule):
    """A declared requirement is never imported by the plugin's code.

    A requirement counts as used when any import of the plugin resolves to it
    (through the import map: `PyYAML` is used by `import yaml`). Extras of a
    bottle (`[project.optional-dependencies]`) are not checked. Requirements
    used without an import (a CLI tool, a plugin of another library) go in
    the plugin's `ignore-unused-dependencies` list in the mbcheck config:
    `[tool.mbcheck.plugins.NAME] ignore-unused-dependencies = ["uvicorn"]`.
    Not reported while any Python file of the plugin cannot be parsed.
    Why: every declared requirement is installed into the environment the
    host and all plugins share; an unused one is download, attack surface
    and a chance of conflict for nothing.
    Instead: remove it, or list it in `ignore-unused-dependencies`.
    """

    code = "MB502"
    name = "unused-dependency"
    category = Category.DEPENDENCY
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("from dateutil import parser\n", files={"plugin.yaml": DEPENDENCIES + "  - python-dateutil>=2.9\n"}),
        Valid("import yaml\n", files={"plugin.yaml": DEPENDENCIES + "  - PyYAML>=6\n"}),
        Valid("def run():\n    import numpy\n", files={"plugin.yaml": DEPENDENCIES + "  - numpy\n"}),
    )
    INVALID = (
        Invalid(files={"__init__.py": "import click\n", "plugin.yaml": DEPENDENCIES + "  - click>=8.1\n  - numpy>=1.26\n"}, path="plugin.yaml", line=12),
        Invalid(
            "",
            files={"plugin.yaml": DEPENDENCIES + "  - pytest\n", "tests/test_it.py": "import pytest\n"},
            path="plugin.yaml",
            line=11,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.dependencies
        missing = {use.distribution for use in analysis.missing}
        for declared in analysis.unused:
            name = declared.requirement.name if declared.requirement is not None else declared.text
            meant = next((m for m in sorted(missing) if misspelt(declared.name, m)), None)
            if meant is not None:
                why = f"the code imports `{meant}`: a misspelling?"
            elif declared.provides & analysis.dev_used:
                why = "only tests, docs or setup.py import it"
            else:
                why = f"remove it, or list `{name}` in `ignore-unused-dependencies` if it is used without an import"
            emit(plugin, self, declared.span, f"`{declared.text}` is declared but never imported: {why}")


# ---------------------------------------------------------------------------
# MB503 / MB504


class HostConflict(PluginRule):
    """A declared requirement cannot be satisfied together with the host's requirement for the same distribution.

    For example `click<8` against the host's `click>=8.0.0`, or
    `milkbottle>=1.0` on a host whose `milkbottle` distribution is 0.1.0 (the
    version pip sees, not the one the compatibility check compares). Checked for the
    manifest, a bottle's extras and `requirements.txt`; requirements whose
    environment marker never holds on a host Python are skipped.
    Why: the host and every plugin share one environment. Installing the
    plugin either fails or downgrades the host's dependency under it.
    Instead: widen the specifier so that it overlaps the host's requirement
    named in the message, or check against the host profile the plugin is
    meant for (`--host-profile`).
    """

    code = "MB503"
    name = "dependency-conflicts-with-host"
    category = Category.DEPENDENCY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (Valid("import click\n", files={"plugin.yaml": DEPENDENCIES + "  - click>=8.1\n"}),)
    INVALID = (
        Invalid(files={"__init__.py": "import click\n", "plugin.yaml": DEPENDENCIES + "  - click<8\n"}, path="plugin.yaml", line=11),
        Invalid(files={"requirements.txt": "rich==12.6.0\n"}, path="requirements.txt", line=1),
    )

    def check(self, plugin: PluginContext) -> None:
        for declared, host in plugin.facts.dependencies.host_conflicts:
            if declared.name == HOST:
                detail = (
                    f"the host profile `{plugin.host.name}` installs the `{HOST}` distribution "
                    f"{plugin.host.distribution_version} (the version pip sees)"
                )
            else:
                detail = f"the host requires `{host.text}` in the environment every plugin shares"
            emit(plugin, self, declared.span, f"`{declared.text}` cannot be installed beside the host: {detail}")


class UnsatisfiableRequirement(PluginRule):
    """A requirement's specifier admits no version at all.

    `>=2,<1`, `==1.0,!=1.0`, `~=1.4,<1.4`: decided from the specifiers alone
    (every PEP 440 operator, pre-releases and local versions included).
    Why: no installer can satisfy it; the plugin cannot be installed.
    Instead: fix the bounds, usually a typo in one of them.
    """

    code = "MB504"
    name = "unsatisfiable-requirement"
    category = Category.DEPENDENCY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (Valid("import requests\n", files={"plugin.yaml": DEPENDENCIES + "  - requests>=2,<3,!=2.30.0\n"}),)
    INVALID = (
        Invalid(files={"__init__.py": "import requests\n", "plugin.yaml": DEPENDENCIES + "  - requests>=2,<1\n"}, path="plugin.yaml", line=11),
    )

    def check(self, plugin: PluginContext) -> None:
        for declared in plugin.facts.dependencies.valid():
            if not is_satisfiable(declared.specifier):
                emit(plugin, self, declared.span, f"`{declared.text}`: no version satisfies `{declared.specifier}`")


# ---------------------------------------------------------------------------
# MB509: sources that disagree


class DependencySourcesDisagree(PluginRule):
    """`requirements.txt` (or a bottle's literal `get_dependencies()`) disagrees with the manifest the host uses.

    The manifest wins (plugin.yaml, else `__dependencies__`; a bottle's
    `[project].dependencies`): every distribution the other source lists
    must be declared there with an overlapping specifier (a pin inside the
    declared range agrees), and every declared one must be listed. A
    `plugin.yaml` against `__dependencies__` is MB111's, a plugin's
    `get_dependencies()` against its manifest MB207's.
    Why: the host installs what the manifest says; a second list that says
    something else is wrong in one of the two places, and people and tools
    read both.
    Instead: make both lists name the same distributions with compatible
    specifiers (or generate one from the other).
    """

    code = "MB509"
    name = "dependency-sources-disagree"
    category = Category.DEPENDENCY
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (
        Valid(
            "import requests\n",
            files={"plugin.yaml": DEPENDENCIES + "  - requests>=2.31\n", "requirements.txt": "requests==2.32.3\n"},
        ),
    )
    INVALID = (
        Invalid(
            files={
                "__init__.py": "import requests\n",
                "plugin.yaml": DEPENDENCIES + "  - requests>=2.31\n",
                "requirements.txt": "requests==2.32.3\nrich\n",
            },
            path="requirements.txt",
            line=2,
        ),
        Invalid(
            files={
                "__init__.py": "import requests\n",
                "plugin.yaml": DEPENDENCIES + "  - requests>=2.31\n",
                "requirements.txt": "# old\nrequests<2\n",
            },
            path="requirements.txt",
            line=2,
        ),
        Invalid(
            files={
                "__init__.py": "import requests\nimport tqdm\n",
                "plugin.yaml": DEPENDENCIES + "  - requests>=2.31\n  - tqdm\n",
                "requirements.txt": "requests>=2.31\n",
            },
            path="plugin.yaml",
            line=12,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.dependencies
        if not analysis.declared_known:
            return
        label = _source_label(plugin)
        if analysis.requirements_present:
            others = [d for d in analysis.requirements_file if d.active]
            self._compare(plugin, analysis, others, "requirements.txt", label)
        if plugin.model.kind is PluginKind.BOTTLE:
            for path, items in _bottle_dependencies(plugin):
                self._compare(plugin, analysis, items, f"`get_dependencies()` in {path}", label)

    def _compare(
        self,
        plugin: PluginContext,
        analysis: Analysis,
        others: list[Declared],
        other_label: str,
        label: str,
    ) -> None:
        declared = group_by_name(d for d in analysis.declared if d.extra is None and d.active)
        provided: dict[str, list[Declared]] = {}
        for items in declared.values():
            for item in items:
                for name in item.provides:
                    provided.setdefault(name, []).append(item)
        listed: set[str] = set()
        for other in sorted_declared(others):
            listed |= other.provides
            mine = next((provided[n] for n in sorted(other.provides) if n in provided), None)
            if mine is None:
                emit(plugin, self, other.span, f"`{other.text}` is in {other_label} but not declared in {label}, which the host installs from")
                continue
            if not intersect_satisfiable(other.specifier, *(m.specifier for m in mine)):
                texts = ", ".join(f"`{m.text}`" for m in mine)
                emit(plugin, self, other.span, f"`{other.text}` in {other_label} disagrees with {texts} in {label}: no version satisfies both")
        for items in declared.values():
            for item in items:
                if not item.provides & listed:
                    emit(plugin, self, item.span, f"`{item.text}` is declared in {label} but missing from {other_label}")


def _source_label(plugin: PluginContext) -> str:
    source = plugin.model.source
    if source is ManifestSource.DUNDERS:
        return "`__dependencies__`"
    if source is ManifestSource.PYPROJECT:
        return "pyproject.toml"
    return "plugin.yaml"


def _bottle_dependencies(plugin: PluginContext) -> list[tuple[str, list[Declared]]]:
    """Literal lists a bottle's ``get_dependencies()`` returns, as declarations with spans."""
    from mbcheck.checks.interface.bottles import bottle_functions
    from mbcheck.checks.interface.facts import ReturnKind

    python = plugin.host.python_versions or ("3.11",)
    out: list[tuple[str, list[Declared]]] = []
    for path, function in bottle_functions(plugin, "get_dependencies"):
        for ret in function.returns:
            literal = ret.literal
            if ret.kind is not ReturnKind.LITERAL or literal is None or not literal.complete:
                continue
            if not isinstance(literal.value, list):
                continue
            spans = literal.span_map()
            fallback = spans.get("") or ret.span or function.span or Span(path)
            items = [
                declared_requirement(item, spans.get(f"/{index}", fallback), path, python)
                for index, item in enumerate(literal.value)
                if isinstance(item, str)
            ]
            out.append((path, [d for d in items if d.requirement is not None]))
    return out


__all__ = [
    "DependencySourcesDisagree",
    "HostConflict",
    "InvalidRequirement",
    "MissingDependency",
    "UnsatisfiableRequirement",
    "UnusedDependency",
]
