"""Dependency rules (category ``dependency``): what a plugin declares against what it imports.

Every plugin is installed into the host's one environment, beside the host's
own requirements and every other plugin's. The host "verifies" a plugin's
dependencies by ``__import__``-ing each requirement string, which runs code
and fails for ``Pillow``, ``PyYAML`` or any version specifier; these rules
check them statically instead:

* MB500 invalid requirements; MB509 sources that disagree
  (``requirements.txt``, a bottle's literal ``get_dependencies()``);
* MB501 imports no declared requirement (nor the host) provides; MB502
  declared requirements nothing imports; MB511 import names declared as
  requirements (``yaml`` for PyYAML);
* MB503 conflicts with the host's requirements, MB504 specifiers no version
  satisfies, MB505 conflicts across the plugins of one run;
* MB506/MB507 ``requires_plugins`` that are missing or form a cycle;
* MB508 names that imitate a popular distribution; MB510 requirements that
  admit versions with known vulnerabilities (``--advisories``).

Imports map to distributions through ``rules/deps/import-map.json`` and the
installed distributions' metadata (see :mod:`mbcheck.checks.deps.imports`); names
are compared PEP 503 normalized. Files under ``tests/``, ``docs/``, test
modules and ``setup.py`` are never loaded by the host: their imports count as
uses but are never missing. ``# mbcheck: ignore[MB5xx]`` works on the import
line, and on the requirement's line in ``requirements.txt``, ``plugin.yaml``
and ``pyproject.toml``. This module imports no libcst.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from itertools import combinations

from packaging.specifiers import SpecifierSet

from mbcheck.checks.deps.analysis import (
    HOST,
    Analysis,
    Declared,
    ImportUse,
    add_conflict,
    declared_requirement,
    emit,
    group_by_name,
    plugin_names,
    requires_plugins,
    sorted_declared,
)
from mbcheck.checks.deps.names import (
    LONG_NAME,
    canonical,
    damerau_levenshtein,
    load_import_map,
    lookalike,
    popular_index,
    skeleton,
)
from mbcheck.checks.deps.specifiers import intersect_satisfiable, is_satisfiable
from mbcheck.context import PluginContext
from mbcheck.model import Category, Confidence, ManifestSource, PluginKind, Severity, Span
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, RunRule, Valid

#: the first line of the items ``_manifest`` appends (after EXAMPLE_MANIFEST and ``dependencies:``)
_FIRST_ITEM = EXAMPLE_MANIFEST.count("\n") + 2


def _manifest(*dependencies: str) -> str:
    """The example manifest with ``dependencies`` (plain YAML scalars); item ``i`` is on line ``_FIRST_ITEM + i``."""
    return EXAMPLE_MANIFEST + "dependencies:\n" + "".join(f"  - {d}\n" for d in dependencies)


def _on_manifest(code: str, manifest: str, line: int, **files: str) -> Invalid:
    """An example reported in ``plugin.yaml`` at ``line``, with ``code`` in ``__init__.py``."""
    return Invalid(files={"__init__.py": code, "plugin.yaml": manifest, **files}, path="plugin.yaml", line=line)


def _on_manifest_valid(code: str, manifest: str, **files: str) -> Valid:
    """An example with ``code`` in ``__init__.py`` and its own ``plugin.yaml``."""
    return Valid(files={"__init__.py": code, "plugin.yaml": manifest, **files})


def _misspelt(a: str, b: str) -> bool:
    """Whether two different distribution names are probably the same one mistyped."""
    if a == b:
        return False
    if skeleton(a) == skeleton(b):
        return True
    limit = 2 if max(len(a), len(b)) >= LONG_NAME else 1
    return min(len(a), len(b)) >= 4 and damerau_levenshtein(a, b, limit) <= limit


def _checked(items: Sequence[Declared]) -> list[Declared]:
    """Valid, active requirements whose own specifier can be satisfied (MB504 reports the others)."""
    return [d for d in items if d.requirement is not None and d.active and is_satisfiable(d.specifier)]


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
        Valid(files={"plugin.yaml": _manifest("requests[socks]>=2.31", 'rich>=13; python_version >= "3.11"')}),
        Valid(files={"requirements.txt": "# pinned\n-i https://pypi.org/simple\nrequests==2.32.3 --hash=sha256:abc\n"}),
    )
    INVALID = (
        Invalid(files={"plugin.yaml": _manifest("requests>=>2")}, path="plugin.yaml", line=_FIRST_ITEM),
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
    confidence = Confidence.HIGH
    VALID = (
        Valid("import os\nimport yaml\nimport click\nfrom PIL import Image\nfrom milkbottle.plugin_system import PluginInterface\nfrom . import helpers\n"),
        Valid("import requests\n", files={"plugin.yaml": _manifest("requests>=2.31")}),
        Valid("from google.cloud import storage\n", files={"plugin.yaml": _manifest("google-cloud-storage")}),
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
        Invalid("from bs4 import BeautifulSoup\n", files={"plugin.yaml": _manifest("requests")}, line=1),
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
            typo = next((d for d in analysis.declared if d.name and _misspelt(d.name, use.distribution)), None)
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
        Valid("from dateutil import parser\n", files={"plugin.yaml": _manifest("python-dateutil>=2.9")}),
        Valid("import yaml\n", files={"plugin.yaml": _manifest("PyYAML>=6")}),
        Valid("def run():\n    import numpy\n", files={"plugin.yaml": _manifest("numpy")}),
    )
    INVALID = (
        _on_manifest("import click\n", _manifest("click>=8.1", "numpy>=1.26"), _FIRST_ITEM + 1),
        Invalid(
            "",
            files={"plugin.yaml": _manifest("pytest"), "tests/test_it.py": "import pytest\n"},
            path="plugin.yaml",
            line=_FIRST_ITEM,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.dependencies
        missing = {use.distribution for use in analysis.missing}
        for declared in analysis.unused:
            name = declared.requirement.name if declared.requirement is not None else declared.text
            meant = next((m for m in sorted(missing) if _misspelt(declared.name, m)), None)
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
    `milkbottle>=2` on a host that is MilkBottle 1.0. Checked for the
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
    VALID = (Valid("import click\n", files={"plugin.yaml": _manifest("click>=8.1")}),)
    INVALID = (
        _on_manifest("import click\n", _manifest("click<8"), _FIRST_ITEM),
        Invalid(files={"requirements.txt": "rich==12.6.0\n"}, path="requirements.txt", line=1),
    )

    def check(self, plugin: PluginContext) -> None:
        for declared, host in plugin.facts.dependencies.host_conflicts:
            if declared.name == HOST:
                detail = f"the host profile `{plugin.host.name}` is MilkBottle {plugin.host.milkbottle_version}"
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
    VALID = (Valid("import requests\n", files={"plugin.yaml": _manifest("requests>=2,<3,!=2.30.0")}),)
    INVALID = (
        _on_manifest("import requests\n", _manifest("requests>=2,<1"), _FIRST_ITEM),
    )

    def check(self, plugin: PluginContext) -> None:
        for declared in plugin.facts.dependencies.valid():
            if not is_satisfiable(declared.specifier):
                emit(plugin, self, declared.span, f"`{declared.text}`: no version satisfies `{declared.specifier}`")


# ---------------------------------------------------------------------------
# MB505-MB507: the plugins of one run share an environment


class EnvironmentConflict(RunRule):
    """Requirements of the checked plugins that cannot be installed into one environment together.

    When a directory of plugins is checked, every pair of declarations of the
    same distribution is compared, across plugins (`a` wants `requests<2`,
    `b` wants `requests>=2.31`) and within one plugin (the same distribution
    listed twice); when every pair is compatible but the whole group (with
    the host's requirement) is not, each member is reported. Each side is
    reported at its own declaring line, naming the other. A declaration that
    conflicts with the host's own requirement is left to MB503.
    Why: MilkBottle installs every plugin into one environment; whichever is
    installed last breaks the others.
    Instead: agree on overlapping ranges, or drop the stricter bound.
    """

    code = "MB505"
    name = "plugin-dependency-conflict"
    category = Category.DEPENDENCY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (Valid("import requests\n", files={"plugin.yaml": _manifest("requests>=2", "requests<3")}),)
    INVALID = (
        _on_manifest("import requests\n", _manifest("requests>=2.31", "requests<2"), _FIRST_ITEM),
    )

    def check_run(self, plugins: Sequence[PluginContext]) -> None:
        pool: dict[str, list[tuple[PluginContext, Declared]]] = {}
        hosts: dict[str, SpecifierSet] = {}
        for plugin in plugins:
            analysis = plugin.facts.dependencies
            for name, items in group_by_name(_checked(analysis.declared)).items():
                host = analysis.host[name].specifier if name in analysis.host else None
                if host is not None:
                    hosts[name] = host
                    # a declaration the host itself rules out is MB503's; its
                    # neighbours are not to blame for it
                    items = [item for item in items if intersect_satisfiable(item.specifier, host)]
                pool.setdefault(name, []).extend((plugin, item) for item in items)
        compatible: dict[tuple[str, str], bool] = {}

        def agree(a: SpecifierSet, b: SpecifierSet) -> bool:
            key = (str(a), str(b)) if str(a) <= str(b) else (str(b), str(a))
            if key not in compatible:
                compatible[key] = intersect_satisfiable(a, b)
            return compatible[key]

        for name, members in sorted(pool.items()):
            if len(members) < 2:
                continue
            clashes: dict[int, list[int]] = {}
            for i, j in combinations(range(len(members)), 2):
                if not agree(members[i][1].specifier, members[j][1].specifier):
                    clashes.setdefault(i, []).append(j)
                    clashes.setdefault(j, []).append(i)
            for i, others in sorted(clashes.items()):
                self._clash(members[i], [members[j] for j in others])
            host = hosts.get(name)
            specs = [d.specifier for _, d in members] + ([host] if host is not None else [])
            if clashes or intersect_satisfiable(*specs):
                continue
            for plugin, declared in members:
                rest = [(p, d) for p, d in members if d is not declared]
                with_host = " and the host's requirement" if host is not None else ""
                emit(
                    plugin,
                    self,
                    declared.span,
                    f"`{declared.text}` cannot be installed together with {_list(plugin, rest)}{with_host}: "
                    "every pair overlaps, but no version satisfies them all",
                )
                add_conflict(plugin, declared, "several", ", ".join(d.text for _, d in rest))

    def _clash(self, mine: tuple[PluginContext, Declared], others: list[tuple[PluginContext, Declared]]) -> None:
        plugin, declared = mine
        emit(
            plugin,
            self,
            declared.span,
            f"`{declared.text}` conflicts with {_list(plugin, others)}: no version satisfies both, "
            "and every plugin is installed into one environment",
        )
        for other, theirs in others:
            add_conflict(plugin, declared, "self" if other is plugin else str(other.model.name), theirs.text)


#: how many other declarations a message names before "and N more"
_NAMED = 3


def _list(plugin: PluginContext, others: list[tuple[PluginContext, Declared]]) -> str:
    shown = [f"`{d.text}` ({_who(plugin, p, d)})" for p, d in others[:_NAMED]]
    more = len(others) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _who(plugin: PluginContext, other: PluginContext, declared: Declared) -> str:
    if other is plugin:
        return f"also declared at {declared.location()}"
    return f"required by plugin `{other.model.name}` at {other.root}/{declared.location()}"


class RequiredPluginMissing(RunRule):
    """A plugin named in `requires_plugins` is not among the plugins checked.

    Names match a plugin's manifest `name` or its directory name (PEP 503
    normalized). Checking a whole plugin directory, a missing plugin is an
    error; checking a single plugin, the others cannot be seen and the
    finding is information only.
    Why: the plugin needs the other one installed beside it and fails when
    it is absent.
    Instead: install the required plugin, fix the name, or remove it from
    `requires_plugins`.
    """

    code = "MB506"
    name = "required-plugin-missing"
    category = Category.DEPENDENCY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST + "requires_plugins: [example]\n"}),)
    INVALID = (
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST + "requires_plugins:\n  - pdf_tools\n"}, path="plugin.yaml", line=_FIRST_ITEM),
    )

    def check_run(self, plugins: Sequence[PluginContext]) -> None:
        known = {name for plugin in plugins for name in plugin_names(plugin)}
        single = len(plugins) < 2
        for plugin in plugins:
            for name, span in requires_plugins(plugin):
                if canonical(name) in known:
                    continue
                if single:
                    emit(
                        plugin,
                        self,
                        span,
                        f"requires plugin `{name}`, which this run cannot see: check the whole plugin "
                        "directory to make sure it is installed",
                        severity=Severity.INFO,
                    )
                else:
                    names = ", ".join(sorted(str(p.model.name) for p in plugins))
                    emit(plugin, self, span, f"requires plugin `{name}`, which is not among the plugins checked ({names})")


class RequiredPluginCycle(RunRule):
    """Plugins require each other in a cycle through `requires_plugins` (a plugin requiring itself included).

    Why: no installation or load order satisfies a cycle; each plugin waits
    for one that waits for it, and removing any of them breaks the rest.
    Instead: break the cycle: move what both need into one plugin, or drop
    one of the requirements.
    """

    code = "MB507"
    name = "required-plugin-cycle"
    category = Category.DEPENDENCY
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST + "requires_plugins: [pdf_tools]\n"}),)
    INVALID = (
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST + "requires_plugins:\n  - example\n"}, path="plugin.yaml", line=_FIRST_ITEM),
    )

    def check_run(self, plugins: Sequence[PluginContext]) -> None:
        by_name: dict[str, int] = {}
        for index, plugin in enumerate(plugins):
            for name in plugin_names(plugin):
                by_name.setdefault(name, index)
        edges: dict[int, list[tuple[int, Span]]] = {}
        for index, plugin in enumerate(plugins):
            for name, span in requires_plugins(plugin):
                target = by_name.get(canonical(name))
                if target is not None:
                    edges.setdefault(index, []).append((target, span))
        for index, plugin in enumerate(plugins):
            for target, span in edges.get(index, []):
                path = _path(edges, target, index)
                if path is None:
                    continue
                names = [str(plugins[i].model.name) for i in (index, *path)]
                if len(names) > _CYCLE_NAMES:
                    names = [*names[: _CYCLE_NAMES - 2], f"... ({len(names) - _CYCLE_NAMES + 1} more)", names[-1]]
                emit(plugin, self, span, f"required plugins form a cycle: {' -> '.join(names)}")


#: the longest cycle a message spells out in full
_CYCLE_NAMES = 8


def _path(edges: dict[int, list[tuple[int, Span]]], start: int, goal: int) -> list[int] | None:
    """The shortest path from ``start`` to ``goal`` (both included), or None."""
    parents: dict[int, int | None] = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        if node == goal:
            out = [node]
            while parents[out[-1]] is not None:
                parent = parents[out[-1]]
                assert parent is not None
                out.append(parent)
            return list(reversed(out))
        for target, _ in edges.get(node, []):
            if target not in parents:
                parents[target] = node
                queue.append(target)
    return None


# ---------------------------------------------------------------------------
# MB508 / MB511: names


class LookalikeDependency(PluginRule):
    """A declared name is one or two typing mistakes away from a popular distribution, but is not it.

    `reqeusts`, `reque5ts`, `python-dateutils`, `colourama`: compared with
    the 5,000 most downloaded PyPI distributions (swapped, missing, doubled
    or look-alike characters; separators and case ignored). Names that are
    popular themselves are never reported.
    Why: typosquatting: attackers publish malicious packages under such names,
    and an installer installs whatever the name says, into the environment
    the host and every plugin share.
    Instead: correct the name to the distribution meant (named in the
    message); if the name is right, suppress with
    `# mbcheck: ignore[MB508]` on its line.
    """

    code = "MB508"
    name = "lookalike-dependency"
    category = Category.DEPENDENCY
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("import requests\n", files={"plugin.yaml": _manifest("requests>=2.31")}),
        Valid("import requests\n", files={"plugin.yaml": _manifest("reqeusts  # mbcheck: ignore[MB508]")}),
    )
    INVALID = (
        _on_manifest("import requests\n", _manifest("reqeusts>=2.31"), _FIRST_ITEM),
        Invalid(files={"requirements.txt": "python-dateutils==2.9.0\n"}, path="requirements.txt", line=1),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.dependencies
        known = _mapped_distributions()
        candidates = [
            d
            for d in analysis.valid()
            if d.import_name_of is None and not d.stdlib and d.name not in analysis.host and d.name not in known
        ]
        if not candidates:
            return
        index = popular_index()
        for declared in candidates:
            assert declared.requirement is not None
            target = lookalike(declared.requirement.name, index)
            if target is not None:
                emit(
                    plugin,
                    self,
                    declared.span,
                    f"`{declared.requirement.name}` is not a popular distribution but looks like `{target}`: "
                    "a typo, or a typosquatting package",
                )


@cache
def _mapped_distributions() -> frozenset[str]:
    """Every distribution the import map names: real projects, kept by hand."""
    out: set[str] = set()
    for value in load_import_map().values():
        out.update(canonical(name) for name in ((value,) if isinstance(value, str) else value))
    return frozenset(out)


class ImportNameAsRequirement(PluginRule):
    """A requirement names an import name or a standard-library module, not a distribution.

    `yaml` instead of `PyYAML`, `PIL` instead of `Pillow`, `cv2`, `sklearn`,
    `bs4`, `jwt`, `attr`, `fitz`; or `json`, `os`, `typing`, which Python
    itself provides. The host's own dependency check imports each
    requirement string, which nudges plugin authors towards import names.
    For the other dependency rules an import name counts as the distribution
    it stands for.
    Why: the index has no such distribution, or a different one: `jwt` and
    `fitz` are unrelated packages, `sklearn` refuses to install, `PIL` does
    not exist; a standard-library name installs nothing or an obsolete
    backport (`typing`, `dataclasses`, `asyncio`) that shadows the real
    module. Either the install fails or the wrong code is installed.
    Instead: declare the distribution named in the message; drop
    standard-library names.
    """

    code = "MB511"
    name = "import-name-as-requirement"
    category = Category.DEPENDENCY
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (_on_manifest_valid("import yaml\nimport json\n", _manifest("PyYAML>=6")),)
    INVALID = (
        _on_manifest("import yaml\n", _manifest("yaml"), _FIRST_ITEM),
        _on_manifest("import jwt\n", _manifest("jwt>=2"), _FIRST_ITEM),
        _on_manifest("import json\n", _manifest("click", "json"), _FIRST_ITEM + 1),
    )

    def check(self, plugin: PluginContext) -> None:
        for declared in plugin.facts.dependencies.valid():
            if declared.requirement is None:
                continue
            name = declared.requirement.name
            if declared.stdlib:
                emit(
                    plugin,
                    self,
                    declared.span,
                    f"`{name}` is a standard-library module, not a distribution: Python provides it; "
                    "remove the requirement",
                )
            elif declared.import_name_of is not None:
                fixed = declared.text.replace(name, declared.import_name_of, 1)
                emit(
                    plugin,
                    self,
                    declared.span,
                    f"`{name}` is an import name; the distribution that provides it is "
                    f"`{declared.import_name_of}`: declare `{fixed}`",
                )


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
            files={"plugin.yaml": _manifest("requests>=2.31"), "requirements.txt": "requests==2.32.3\n"},
        ),
    )
    INVALID = (
        Invalid(
            files={
                "__init__.py": "import requests\n",
                "plugin.yaml": _manifest("requests>=2.31"),
                "requirements.txt": "requests==2.32.3\nrich\n",
            },
            path="requirements.txt",
            line=2,
        ),
        Invalid(
            files={
                "__init__.py": "import requests\n",
                "plugin.yaml": _manifest("requests>=2.31"),
                "requirements.txt": "# old\nrequests<2\n",
            },
            path="requirements.txt",
            line=2,
        ),
        Invalid(
            files={
                "__init__.py": "import requests\nimport tqdm\n",
                "plugin.yaml": _manifest("requests>=2.31", "tqdm"),
                "requirements.txt": "requests>=2.31\n",
            },
            path="plugin.yaml",
            line=_FIRST_ITEM + 1,
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


# ---------------------------------------------------------------------------
# MB510: known vulnerabilities


_EXAMPLE_ADVISORY = """{"id": "GHSA-j8r2-6x86-q33q", "summary": "Unintended leak of Proxy-Authorization header",
 "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.3.0"}, {"fixed": "2.31.0"}]}]}]}
"""


class VulnerableDependency(PluginRule):
    """A declared pin or range admits a version with a known vulnerability (`--advisories FILE`).

    Offline: the advisories come from an OSV JSON file given with
    `mbcheck lint --advisories FILE` (one record, a list, or the OSV API's
    `{"vulns": [...]}`), e.g. exported from osv.dev for the distributions a
    plugin directory uses. An affected pin is an error; a range that still
    admits affected versions is a warning. Without the option nothing is
    checked.
    Why: whatever the specifier admits may be installed, into the
    environment the host and every plugin share.
    Instead: raise the lower bound past the fixed version named in the
    message (`requests>=2.31.0`).
    """

    code = "MB510"
    name = "vulnerable-dependency"
    category = Category.DEPENDENCY
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (
        Valid("import requests\n", files={"plugin.yaml": _manifest("requests>=2.31")}),
        Valid(
            "import requests\n",
            files={"plugin.yaml": _manifest("requests>=2.31.0"), "osv.json": _EXAMPLE_ADVISORY},
            config={"advisories": "{root}/osv.json"},
        ),
    )
    INVALID = (
        Invalid(
            files={
                "__init__.py": "import requests\n",
                "plugin.yaml": _manifest("requests==2.30.0"),
                "osv.json": _EXAMPLE_ADVISORY,
            },
            config={"advisories": "{root}/osv.json"},
            path="plugin.yaml",
            line=11,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        path = plugin.config.advisories
        if not path:
            return
        from mbcheck.checks.deps.advisories import load_advisories

        index = load_advisories(path)
        if not len(index):
            return
        section = plugin.facts.dependencies.section
        for declared in plugin.facts.dependencies.valid():
            assert declared.requirement is not None
            for match in index.matches(declared.requirement):
                advisory = match.advisory
                fixed = ", ".join(str(v) for v in advisory.fixed)
                hint = f"; fixed in {fixed}" if fixed else "; no fixed release is known"
                summary = f": {advisory.summary}" if advisory.summary else ""
                if match.pinned:
                    message = f"`{declared.text}` pins a version affected by {advisory.label}{summary}{hint}"
                else:
                    message = f"`{declared.text}` admits versions affected by {advisory.label}{summary}{hint}"
                emit(
                    plugin,
                    self,
                    declared.span,
                    message,
                    severity=Severity.ERROR if match.pinned else Severity.WARNING,
                )
                vulnerable: list[dict[str, object]] = section.setdefault("vulnerable", [])
                vulnerable.append(
                    {
                        "requirement": declared.text,
                        "id": advisory.id,
                        "path": declared.span.path,
                        "line": declared.span.line,
                        "fixed": [str(v) for v in advisory.fixed],
                    }
                )


__all__ = [
    "DependencySourcesDisagree",
    "EnvironmentConflict",
    "HostConflict",
    "ImportNameAsRequirement",
    "InvalidRequirement",
    "LookalikeDependency",
    "MissingDependency",
    "RequiredPluginCycle",
    "RequiredPluginMissing",
    "UnsatisfiableRequirement",
    "UnusedDependency",
    "VulnerableDependency",
]
