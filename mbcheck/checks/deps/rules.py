"""Dependency rules (category ``dependency``): what a plugin declares against what it imports.

Every plugin is installed into the host's one environment, beside the host's
own requirements and every other plugin's. The host "verifies" a plugin's
dependencies by ``__import__``-ing each requirement string, which runs code
and fails for ``Pillow``, ``PyYAML`` or any version specifier; these rules
check them statically instead, from the plugin's dependency facts
(:mod:`mbcheck.checks.deps.analysis`):

* MB500 invalid requirements; MB509 sources that disagree
  (``requirements.txt``);
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
from mbcheck.checks.sites import declared_in, noun
from mbcheck.context import PluginContext
from mbcheck.model import Category, Confidence, Fix, ManifestSource, Severity
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid

#: the example manifest with a ``dependencies`` list: its items start on line 11
DEPENDENCIES = EXAMPLE_MANIFEST + "dependencies:\n"


def _yaml_dependencies(plugin: PluginContext) -> list[str] | None:
    """plugin.yaml's `dependencies` (empty when absent) when it is the only place the plugin declares
    requirements, so a fix there is the whole story; None otherwise (dunders, pyproject.toml,
    a requirements file, or a value that is not a list of strings)."""
    model = plugin.model
    if model.source is not ManifestSource.PLUGIN_YAML or model.unreadable:
        return None
    analysis = plugin.facts.dependencies
    if analysis.requirements_present or analysis.requirements_file:
        return None
    located = model.fields.get("dependencies")
    if located is None:
        return []
    if located.span.path != model.manifest_path or not isinstance(located.value, list):
        return None
    if not all(isinstance(v, str) for v in located.value):
        return None
    return list(located.value)


def _interface_lists(plugin: PluginContext, text: str) -> bool:
    """Whether the plugin's `get_dependencies()` returns ``text`` (removing it from plugin.yaml
    would only make the two disagree, MB207)."""
    from mbcheck.checks.interface.analysis import resolved_methods

    for use in resolved_methods(plugin, "get_dependencies"):
        for ret in use.method.returns:
            if ret.literal is not None and isinstance(ret.literal.value, list) and text in ret.literal.value:
                return True
    return False


def dependencies_fix(plugin: PluginContext, values: list[str], title: str) -> Fix | None:
    """Write ``values`` into plugin.yaml's `dependencies` (unsafe: it changes what is installed)."""
    from mbcheck.checks.manifest.fixes import set_list, yaml_fix

    return yaml_fix(plugin, "dependencies", set_list("dependencies", values), title, unsafe=True)


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
    (`import tomli` under `sys.version_info < (3, 11)`). A project's own code
    never names a distribution: relative imports, its top-level modules and
    packages (also under `src/` and `build/lib/`), and `src.` paths
    (`from src.pkg import x`). MilkBottle's own tree, checked as a bottle
    distribution, must declare what it imports itself.
    One finding per distribution: at its first import (in path and line
    order), the severity of its most severe import, the other import
    statements named in the message and listed as related locations. An
    import line with `# mbcheck: ignore[MB501]` is left out; when every
    import of the distribution has one, the finding is suppressed.
    Why: the installer installs what the manifest declares; whatever else
    the code imports works only where it happens to be installed already.
    Instead: add the distribution named in the message where the message
    says: a plugin's manifest `dependencies`, a bottle distribution's
    `pyproject.toml`, or for a bottle inside MilkBottle's own
    `milkbottle/modules/` the host's `pyproject.toml` (or use
    `# mbcheck: ignore[MB501]` on the import lines for something the host
    environment is known to provide).
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
        Invalid("import requests\n", line=1, fixed={"plugin.yaml": EXAMPLE_MANIFEST + "dependencies: [requests]\n"}),
        Invalid("def fetch(url):\n    import httpx\n    return httpx.get(url)\n", line=2,
                fixed={"plugin.yaml": EXAMPLE_MANIFEST + "dependencies: [httpx]\n"}),
        Invalid("try:\n    import ujson as json\nexcept ImportError:\n    import json\n", line=2,
                fixed={"plugin.yaml": EXAMPLE_MANIFEST + "dependencies: [ujson]\n"}),
        Invalid("from bs4 import BeautifulSoup\n", files={"plugin.yaml": DEPENDENCIES + "  - requests\n"}, line=1,
                fixed={"plugin.yaml": DEPENDENCIES + "  - requests\n  - beautifulsoup4\n"}),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.dependencies
        by_distribution: dict[str, list[ImportUse]] = {}
        for use in analysis.missing:
            by_distribution.setdefault(use.distribution, []).append(use)
        for distribution, uses in by_distribution.items():
            self._report(plugin, analysis, distribution, uses)

    def _report(self, plugin: PluginContext, analysis: Analysis, distribution: str, uses: list[ImportUse]) -> None:
        """One finding for every import of one distribution, at its first counted place."""
        places = _places(uses)
        counted = [place for place in places if self._counted(plugin, place)]
        if counted:
            for place in places:
                if place not in counted and not plugin.config.ignored_in_file(self.code, place[0].path):
                    plugin.honour(self.code, place[0].path, place[0].fact.span.line, place[0].fact.statement_line)
        else:
            # every place is silenced: one finding at the first, which its comment silences
            counted = places
        first = counted[0]
        severity, where = self._severity(max(counted, key=lambda place: self._rank(place[0]))[0], first[0], noun(plugin))
        guessed = first[0].resolution is not None and first[0].resolution.source == "name"
        typo = next((d for d in analysis.declared if d.name and misspelt(d.name, distribution)), None)
        hint = f" (is `{typo.text}` at {typo.location()} a misspelling of it?)" if typo is not None else ""
        emit(
            plugin,
            self,
            first[0].fact.span,
            f"`{_statement(first)}` needs `{distribution}`, which is not declared ({where}); "
            f"{_elsewhere(counted[1:])}add it to {analysis.manifest_label}{hint}",
            severity=severity,
            confidence=Confidence.MEDIUM if guessed else Confidence.HIGH,
            statement_line=first[0].fact.statement_line,
            related=tuple(place[0].fact.span for place in counted[1:]),
            fix=None if typo is not None else self.fix_missing(plugin, distribution),
        )

    def fix_missing(self, plugin: PluginContext, distribution: str) -> Fix | None:
        """Add the distribution, unpinned, to plugin.yaml's `dependencies`: unsafe, it changes what
        the installer installs (and the version range is the author's choice)."""
        declared = _yaml_dependencies(plugin)
        if declared is None:
            return None
        return dependencies_fix(plugin, [*declared, distribution], f"Add `{distribution}` to `dependencies`")

    def _counted(self, plugin: PluginContext, place: list[ImportUse]) -> bool:
        """A place counts unless a comment there silences the rule or the config ignores its file."""
        use = place[0]
        if plugin.config.ignored_in_file(self.code, use.path):
            return False
        return plugin.suppression_at(self.code, use.path, use.fact.span.line, use.fact.statement_line) is None

    @staticmethod
    def _rank(use: ImportUse) -> int:
        return 0 if use.fact.optional else 2 if use.fact.at_module_level else 1

    @classmethod
    def _severity(cls, use: ImportUse, first: ImportUse, what: str) -> tuple[Severity, str]:
        """The severity of the most severe place, and why (naming it when it is not the first)."""
        at = f" in {use.path}:{use.fact.span.line}" if use is not first else ""
        if use.fact.optional:
            return Severity.INFO, f"optional: the import{at} is guarded by `except ImportError`"
        if use.fact.at_module_level:
            return Severity.ERROR, f"imported at module level{at}: the {what} cannot load without it"
        return Severity.WARNING, f"imported inside a function{at}: it fails when called"


#: how many other places a message names before "and N more"
_PLACES_NAMED = 3
#: how many names of one ``from m import a, b, ...`` a message shows
_NAMES_SHOWN = 3


def _places(uses: list[ImportUse]) -> list[list[ImportUse]]:
    """The imports of one distribution by statement (``from m import a, b`` is one place), in source order."""
    places: dict[tuple[str, int], list[ImportUse]] = {}
    for use in sorted(uses, key=lambda u: (u.path, u.fact.span.line, u.fact.span.column)):
        places.setdefault((use.path, use.fact.statement_line), []).append(use)
    return list(places.values())


def _statement(place: list[ImportUse]) -> str:
    """The import statement of a place, as the message quotes it."""
    fact = place[0].fact
    source = fact.source_module
    if not (source and fact.module.startswith(source + ".")):
        return f"import {fact.module}"
    names = list(dict.fromkeys(use.fact.module[len(source) + 1 :] for use in place if use.fact.source_module == source))
    shown = ", ".join(names[:_NAMES_SHOWN]) + (", ..." if len(names) > _NAMES_SHOWN else "")
    return f"from {source} import {shown}"


def _elsewhere(others: list[list[ImportUse]]) -> str:
    """``N other places import it too (a.py:3, ...); `` or nothing."""
    if not others:
        return ""
    named = ", ".join(f"{place[0].path}:{place[0].fact.span.line}" for place in others[:_PLACES_NAMED])
    more = len(others) - _PLACES_NAMED
    count = f"{len(others)} other place{'s' if len(others) != 1 else ''} import{'s' if len(others) == 1 else ''} it too"
    return f"{count} ({named}{f' and {more} more' if more > 0 else ''}); "


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
        Invalid(files={"__init__.py": "import click\n", "plugin.yaml": DEPENDENCIES + "  - click>=8.1\n  - numpy>=1.26\n"}, path="plugin.yaml", line=12,
                fixed={"plugin.yaml": DEPENDENCIES + "  - click>=8.1\n"}),
        Invalid(
            "",
            files={"plugin.yaml": DEPENDENCIES + "  - pytest\n", "tests/test_it.py": "import pytest\n"},
            path="plugin.yaml",
            line=11,
            fixed={"plugin.yaml": EXAMPLE_MANIFEST + "dependencies: []\n"},
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
            fix = None
            listed = _yaml_dependencies(plugin)
            if meant is None and listed is not None and declared.text in listed and not _interface_lists(plugin, declared.text):
                fix = dependencies_fix(plugin, [d for d in listed if d != declared.text],
                                       f"Remove `{declared.text}` from `dependencies`")
            emit(plugin, self, declared.span, f"`{declared.text}` is declared but never imported: {why}", fix=fix)


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
    """`requirements.txt` disagrees with the manifest the host uses.

    The manifest wins (plugin.yaml, else `__dependencies__`; a bottle's
    `[project].dependencies`): every distribution the other source lists
    must be declared there with an overlapping specifier (a pin inside the
    declared range agrees), and every declared one must be listed (not when
    the distribution holds several bottles, as MilkBottle's own does: each
    one's `get_dependencies()` names only what it needs). A
    `plugin.yaml` against `__dependencies__` is MB111's, a plugin's
    `get_dependencies()` against its manifest MB207's. A bottle's
    `get_dependencies()` is not compared: the registry imports its entries,
    so they are import names, not distributions (MB215 checks them).
    Why: the host installs what the manifest says; a second list that says
    something else is wrong in one of the two places, and people and tools
    read both.
    Instead: make both lists name the same distributions with compatible
    specifiers (or generate one from the other).
    """

    needs_manifest = True
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

    def _compare(
        self,
        plugin: PluginContext,
        analysis: Analysis,
        others: list[Declared],
        other_label: str,
        label: str,
        both_ways: bool = True,
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
        if not both_ways:
            return
        for items in declared.values():
            for item in items:
                if not item.provides & listed:
                    emit(plugin, self, item.span, f"`{item.text}` is declared in {label} but missing from {other_label}")


def _source_label(plugin: PluginContext) -> str:
    return declared_in(plugin)


__all__ = [
    "DependencySourcesDisagree",
    "HostConflict",
    "InvalidRequirement",
    "MissingDependency",
    "UnsatisfiableRequirement",
    "UnusedDependency",
]
