"""Per-file outcomes and the per-plugin context that plugin-level rules see.

A :class:`FileOutcome` is everything the engine keeps from one source file:
findings of the source rules plus its typed *facts*
(:class:`~mbcheck.pyfile.facts.ModuleFacts`: imports, dunders, classes, …)
that plugin-level analyses and rules consume. Outcomes are frozen and picklable, so they
cross process boundaries (the worker pool), and live in the cache as typed JSON
(:mod:`mbcheck.codec`); the syntax tree never leaves the worker that parsed it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from mbcheck.model import Confidence, Finding, Fix, PluginModel, Severity, Span
from mbcheck.pyfile.facts import ModuleFacts

if TYPE_CHECKING:
    from mbcheck.checks import PluginFacts
    from mbcheck.config import Config
    from mbcheck.rules.base import Rule


@dataclass(frozen=True, slots=True)
class Suppression:
    """One ``# mbcheck: ignore[...]`` comment. Empty ``codes`` means every code."""

    line: int
    codes: frozenset[str]
    file_level: bool
    span: Span
    #: the last line of the statement the comment heads (decorators and
    #: multi-line statements: a comment on the first line covers them)
    end_line: int = 0

    def matches(self, code: str) -> bool:
        return not self.codes or any(code == c or code.startswith(c) for c in self.codes)

    def covers(self, code: str, line: int, statement_line: int) -> bool:
        """Whether the comment silences ``code`` reported at ``line`` of the statement
        starting at ``statement_line``."""
        if not self.matches(code):
            return False
        return self.file_level or self.line == statement_line or self.line <= line <= self.end_line


@dataclass(frozen=True, slots=True)
class FileOutcome:
    path: str
    sha256: str
    findings: tuple[Finding, ...] = ()
    facts: ModuleFacts = field(default_factory=ModuleFacts)
    suppressions: tuple[Suppression, ...] = ()
    #: statement first lines: line -> first line of the enclosing statement
    parsed: bool = True
    #: False for an outcome that depends on the machine rather than the file
    #: (a time or memory ceiling reached, a crashed worker): never cached
    cacheable: bool = True


@dataclass(frozen=True)
class HostProfile:
    """One MilkBottle release as a host profile (``schemas/host-profile.schema.json``) describes it."""

    name: str
    #: the version the host's plugin compatibility check compares with (``MilkBottleConfig.version``)
    milkbottle_version: str
    requires_python: str
    python_versions: tuple[str, ...]
    requirements: tuple[str, ...]
    public_api: Mapping[str, tuple[str, ...]]
    plugin_interface: Mapping[str, Mapping[str, Any]]
    source: str = ""
    #: every version the host states (``distribution``, ``package``, ``config``)
    versions: Mapping[str, str] = field(default_factory=dict)
    #: which of ``versions`` is ``milkbottle_version`` ("" for a profile that does not say)
    milkbottle_version_from: str = ""
    #: distributions the host imports at startup or in its plugin system (installed in any working host)
    environment: tuple[str, ...] = ()
    #: the entry-point groups the host's bottle registry reads
    bottle_groups: tuple[str, ...] = ()
    #: the host commit the profile was generated from
    commit: str | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> HostProfile:
        source = data.get("source", "")
        environment = data.get("environment", {}).get("imports", {})
        return cls(
            name=data["name"],
            milkbottle_version=data["milkbottle_version"],
            requires_python=data["requires_python"],
            python_versions=tuple(data.get("python_versions", ())),
            requirements=tuple(data["requirements"]),
            public_api={k: tuple(v) for k, v in data["public_api"].items()},
            plugin_interface=data["plugin_interface"],
            source=source if isinstance(source, str) else f"generated from MilkBottle at {source.get('commit') or 'an unknown commit'}",
            versions=dict(data.get("versions", {})),
            milkbottle_version_from=data.get("milkbottle_version_from", ""),
            environment=tuple(sorted({entry["distribution"] for entry in environment.values()})),
            bottle_groups=tuple(data.get("bottles", {}).get("entry_point_groups", ())),
            commit=source.get("commit") if isinstance(source, Mapping) else None,
        )

    @property
    def distribution_version(self) -> str:
        """The version pip and ``importlib.metadata`` see (the profile's version when it states none)."""
        return self.versions.get("distribution", self.milkbottle_version)

    def version_label(self) -> str:
        """The compared version, named for messages: which of the host's versions it is, and why."""
        what = {
            "config": "`MilkBottleConfig.version`, the version the host's plugin compatibility check compares with",
            "package": "its package `__version__`",
            "distribution": "its distribution version",
        }.get(self.milkbottle_version_from)
        where = f"{what}; host profile {self.name}" if what else f"host profile {self.name}"
        return f"MilkBottle {self.milkbottle_version} ({where})"

    @cached_property
    def version(self) -> Version | None:
        try:
            return Version(self.milkbottle_version)
        except InvalidVersion:
            return None

    @cached_property
    def python_specifier(self) -> SpecifierSet:
        try:
            return SpecifierSet(self.requires_python)
        except InvalidSpecifier:
            return SpecifierSet()


@dataclass
class PluginContext:
    """What a plugin-level rule sees, and where it reports."""

    model: PluginModel
    root: str
    modules: Mapping[str, FileOutcome]
    files: tuple[str, ...]
    config: Config
    host: HostProfile
    #: the plugin's import package name (directory name)
    package: str
    read_text: Any = None
    #: the :class:`~mbcheck.checks.manifest.analysis.ManifestResult` (document, dunder model)
    manifest: Any = None
    #: every plugin of the run by name (for cross-plugin rules)
    run_plugins: Any = None
    #: the folder an archive wraps the plugin in (the host's installers need the plugin's
    #: files at the archive's root); "" for a directory or a root-level archive
    archive_folder: str = ""
    findings: list[Finding] = field(default_factory=list)
    #: findings an ``# mbcheck: ignore`` comment in a file the engine does not
    #: tokenize silenced (requirements files, plugin.yaml), with the comment
    silenced: list[tuple[Finding, Suppression]] = field(default_factory=list)
    #: places a rule left out of a finding because a comment there silences
    #: its code: (code, path, line, statement line); those comments are used
    honoured: list[tuple[str, str, int, int]] = field(default_factory=list)
    #: every theme's analysis of the plugin (computed by the engine whatever
    #: the rule selection; rules only read it)
    facts: PluginFacts = field(init=False, repr=False)

    def __post_init__(self) -> None:
        from mbcheck.checks import PluginFacts

        self.facts = PluginFacts(self)

    def module_facts(self) -> Iterator[tuple[str, ModuleFacts]]:
        """Every module's facts with its path, sorted by path."""
        for path in sorted(self.modules):
            yield path, self.modules[path].facts

    def text(self, path: str) -> str | None:
        """The text of one of the plugin's files (never imported, only read)."""
        if self.read_text is None:
            return None
        result = self.read_text(path)
        return result if isinstance(result, str) else None

    def silence(self, finding: Finding, comment: Suppression) -> None:
        """Keep a finding a suppression comment silenced (finalise lists it as suppressed)."""
        self.silenced.append((finding, comment))

    def report(
        self,
        rule: type[Rule] | Rule,
        span: Span,
        message: str,
        *,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        statement_line: int = 0,
        related: tuple[Span, ...] = (),
        fix: Fix | None = None,
    ) -> None:
        self.findings.append(
            rule.finding(
                span,
                message,
                severity=severity,
                confidence=confidence,
                statement_line=statement_line,
                related=related,
                fix=fix,
            )
        )

    def suppression_at(self, code: str, path: str, line: int, statement_line: int = 0) -> Suppression | None:
        """The ``# mbcheck: ignore`` comment of a Python file that silences ``code`` at a
        place, or None: for a rule that gathers several places into one finding
        (a place its comment silences is left out of the finding)."""
        outcome = self.modules.get(path)
        if outcome is None:
            return None
        for sup in outcome.suppressions:
            if sup.covers(code, line, statement_line or line):
                return sup
        return None

    def honour(self, code: str, path: str, line: int, statement_line: int = 0) -> None:
        """Record that a comment silencing ``code`` at a place was acted on (the
        rule left the place out of its finding): it is not an unused suppression."""
        self.honoured.append((code, path, line, statement_line or line))
