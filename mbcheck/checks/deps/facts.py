"""The dependency facts of a plugin: what it declares, what it imports, what conflicts.

Plain data, shared by the analysis (:mod:`mbcheck.checks.deps.analysis`,
:mod:`mbcheck.checks.deps.environment`) that computes it and the rules that
read it: a declared requirement and where it is written, an import and how it
is provided, a conflict, a known vulnerability, and the :class:`Analysis` that
holds them all with the plugin's ``dependencies`` report section. This module
imports no libcst.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from mbcheck.checks.deps.advisories import AdvisoryMatch
from mbcheck.checks.deps.imports import Resolution
from mbcheck.checks.deps.names import canonical
from mbcheck.model import Span
from mbcheck.pyfile.facts import ImportFact

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
    """One import of the plugin's code and how it is provided."""

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
    """One of the host's own requirements (or MilkBottle itself, pinned to the host's version)."""

    name: str
    text: str
    specifier: SpecifierSet


@dataclass(frozen=True)
class Conflict:
    """A declared requirement no version satisfies together with another requirement.

    ``other`` names whose the other requirement is: ``host``, ``self`` (the
    same plugin), another plugin's name, or ``several`` (a group of
    declarations that overlap pairwise but not all together).
    """

    declared: Declared
    other: str
    other_requirement: str

    def entry(self) -> dict[str, Any]:
        """The conflict as the report section lists it."""
        return {
            "requirement": self.declared.text,
            "path": self.declared.span.path,
            "line": self.declared.span.line,
            "with": self.other,
            "other": self.other_requirement,
        }


@dataclass(frozen=True)
class Vulnerability:
    """A declared requirement that admits versions a known advisory affects."""

    declared: Declared
    match: AdvisoryMatch

    def entry(self) -> dict[str, Any]:
        """The vulnerability as the report section lists it."""
        return {
            "requirement": self.declared.text,
            "id": self.match.advisory.id,
            "path": self.declared.span.path,
            "line": self.declared.span.line,
            "fixed": [str(v) for v in self.match.advisory.fixed],
        }


@dataclass
class Analysis:
    """Everything the dependency rules read about one plugin, and its report section."""

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
    #: declared requirements that cannot be installed beside other plugins' of the
    #: run or their own plugin's (set by :func:`mbcheck.checks.deps.environment.environment_conflicts`)
    run_conflicts: list[Conflict] = field(default_factory=list)
    #: requirements that admit versions with known vulnerabilities (``--advisories``)
    vulnerable: list[Vulnerability] = field(default_factory=list)
    #: the advisories file could not be read: nothing was matched
    advisories_error: Exception | None = None
    #: a file could not be parsed: its imports are unknown
    incomplete: bool = False
    section: dict[str, Any] = field(default_factory=dict)

    def valid(self, include_requirements_file: bool = True) -> list[Declared]:
        """Declared requirements that parse, manifest first."""
        pool = [*self.declared, *(self.requirements_file if include_requirements_file else ())]
        return [d for d in pool if d.requirement is not None]

    def conflict_entries(self) -> list[dict[str, Any]]:
        """The section's ``conflicts``: with the host first, then those with the run's
        plugins (an entry already listed is not repeated)."""
        entries = [Conflict(declared, "host", host.text).entry() for declared, host in self.host_conflicts]
        for conflict in self.run_conflicts:
            entry = conflict.entry()
            if entry not in entries:
                entries.append(entry)
        return entries


def sorted_declared(items: Iterable[Declared]) -> list[Declared]:
    """Declarations in the order of their places."""
    return sorted(items, key=lambda d: (d.span.path, d.span.line, d.span.column, d.text))


def group_by_name(items: Iterable[Declared]) -> Mapping[str, list[Declared]]:
    """Valid declarations by distribution name."""
    out: dict[str, list[Declared]] = {}
    for item in items:
        if item.requirement is not None:
            out.setdefault(item.name, []).append(item)
    return out


__all__ = [
    "DEV_DIRS",
    "DEV_ROOT_FILES",
    "HOST",
    "REQUIREMENTS_FILE",
    "SECTION",
    "STDLIB_NAMES",
    "Analysis",
    "Conflict",
    "Declared",
    "HostRequirement",
    "ImportKind",
    "ImportUse",
    "Vulnerability",
    "group_by_name",
    "sorted_declared",
]
