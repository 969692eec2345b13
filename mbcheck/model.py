"""The data mbcheck passes around: frozen, picklable, ordered.

Everything here is plain data. Rules produce :class:`Finding` values, the
engine turns them into :class:`PluginReport` values, reporters render a
:class:`Report`. Nothing in this module imports libcst, so a fully cached run
never pays for the parser.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 1, "warning": 2, "error": 3}[self.value]


class Confidence(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Category(enum.StrEnum):
    SYNTAX = "syntax"
    MANIFEST = "manifest"
    INTERFACE = "interface"
    SECURITY = "security"
    COMPATIBILITY = "compatibility"
    DEPENDENCY = "dependency"
    CONFIG = "config"
    ARCHIVE = "archive"


class Verdict(enum.StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, order=True, slots=True)
class Span:
    """A region of one file. Lines and columns are 1-based; the end is exclusive.

    ``path`` is POSIX and relative to the plugin root (``""`` for the plugin as
    a whole, e.g. a missing manifest).
    """

    path: str
    line: int = 1
    column: int = 1
    end_line: int = 0
    end_column: int = 0

    def __post_init__(self) -> None:
        if self.end_line < self.line:
            object.__setattr__(self, "end_line", self.line)
        if self.end_line == self.line and self.end_column < self.column:
            object.__setattr__(self, "end_column", self.column)


class Applicability(enum.StrEnum):
    """Whether applying a fix keeps the code's behaviour.

    ``safe`` fixes keep it and are applied by ``--fix``; ``unsafe`` fixes change
    behaviour (or make a choice for the user) and are applied only with
    ``--unsafe-fixes``.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, order=True, slots=True)
class Edit:
    """Replace the text at ``span`` (relative to the plugin root) with ``content``.

    An insertion is a span whose start equals its end; a deletion has empty
    ``content``. Lines and columns count as in :class:`Span` (1-based, end
    exclusive; columns in characters).
    """

    span: Span
    content: str


@dataclass(frozen=True, slots=True)
class Fix:
    """How to repair one finding: a short title and the edits that do it.

    Plain data, so it is cached, written to JSON and SARIF, and offered to
    editors as a code action. Every edit stays inside the plugin root.
    """

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    category: Category
    severity: Severity
    message: str
    span: Span
    confidence: Confidence | None = None
    #: first line of the statement the finding sits in (for suppressions)
    statement_line: int = 0
    fingerprint: str = ""
    #: the rule's kebab-case name (kept with the finding so reports never
    #: need to load the rule modules)
    name: str = ""
    #: where a comment of another tool in the plugin's source silences it
    #: (bandit's ``# nosec``): treated like a ``# mbcheck: ignore`` comment there
    silenced_at: Span | None = None
    #: other places the same problem occurs (every other import of one
    #: distribution): one finding, listed with its primary ``span`` first
    related: tuple[Span, ...] = ()
    #: how to repair it, when the rule knows (see :class:`Fix`)
    fix: Fix | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.path, self.span.line, self.span.column, self.rule, self.message)


@dataclass(frozen=True, slots=True)
class SuppressedFinding:
    """A finding a ``# mbcheck: ignore`` comment in the plugin's source silenced.

    The comment is the plugin author's claim, not evidence: reports keep these
    findings in their own section and the gate judges them unless its policy
    honours suppressions.
    """

    finding: Finding
    #: where the comment is written
    by: Span
    #: the codes (or prefixes) the comment names; None for a bare comment (every code)
    codes: tuple[str, ...] | None = None
    #: ``ignore-file`` (the whole file) rather than ``ignore`` (one statement)
    file_level: bool = False


@dataclass(frozen=True, slots=True)
class Located:
    """A value read from a manifest together with where it was written."""

    value: Any
    span: Span


class ManifestSource(enum.StrEnum):
    PLUGIN_YAML = "plugin.yaml"
    DUNDERS = "__init__.py"
    PYPROJECT = "pyproject.toml"
    NONE = "none"


class PluginKind(enum.StrEnum):
    PLUGIN = "plugin"
    BOTTLE = "bottle"


class _NotStatic:
    """Marker for a value that is present but not a literal (never evaluated)."""

    _instance: _NotStatic | None = None

    def __new__(cls) -> _NotStatic:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<not statically known>"

    def __reduce__(self) -> str:
        return "NOT_STATIC"


NOT_STATIC: Any = _NotStatic()


@dataclass(frozen=True, slots=True)
class PluginModel:
    """Static metadata of one plugin or bottle.

    ``fields`` maps a metadata field name to its value and span. ``pointers``
    maps JSON pointers inside the manifest (``/dependencies/0``) to spans so a
    finding about any nested value can point at its own line.
    """

    name: str
    kind: PluginKind
    source: ManifestSource
    manifest_path: str
    fields: Mapping[str, Located] = field(default_factory=dict)
    pointers: Mapping[str, Span] = field(default_factory=dict)
    raw: Any = None
    #: the manifest document exists but could not be read (MB101): its values are unknown,
    #: and rules that need them (``PluginRule.needs_manifest``) do not run
    unreadable: bool = False

    def value(self, key: str, default: Any = None) -> Any:
        located = self.fields.get(key)
        return default if located is None else located.value

    def span(self, pointer: str = "") -> Span:
        """The span of a JSON pointer, falling back to its closest parent."""
        probe = pointer
        while probe:
            if probe in self.pointers:
                return self.pointers[probe]
            key = probe.lstrip("/").split("/", 1)[0]
            if probe.count("/") == 1 and key in self.fields:
                return self.fields[key].span
            probe = probe.rsplit("/", 1)[0]
        return self.pointers.get("", Span(self.manifest_path))

    def metadata(self) -> dict[str, Any]:
        """The resolved metadata as plain JSON data (non-literals as ``None``).

        Numbers JSON readers cannot all represent exactly (integers beyond
        ±2**53, infinities, NaN) are given as their text, so every report can be
        written as standard JSON and signed over its canonical form.
        """
        out: dict[str, Any] = {}
        for key, located in sorted(self.fields.items()):
            out[key] = None if located.value is NOT_STATIC else _json_safe(located.value)
        return out


#: the largest integer every JSON reader represents exactly (RFC 8785, I-JSON)
_JSON_INT_LIMIT = 2**53 - 1


def _json_safe(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if abs(value) <= _JSON_INT_LIMIT else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


@dataclass(frozen=True, slots=True, order=True)
class Unanalysed:
    """A file (or a directory, ending in ``/``) of a plugin that mbcheck did not analyse,
    and why (a reason of :data:`mbcheck.coverage.REASONS`)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class PluginReport:
    name: str
    kind: PluginKind
    path: str
    verdict: Verdict
    metadata: Mapping[str, Any]
    permissions: Mapping[str, Any]
    findings: tuple[Finding, ...]
    digest: str = ""
    #: where the metadata came from (``plugin.yaml``, ``dunders``, ``pyproject``)
    manifest: str = ""
    #: what the code needs from Python and MilkBottle (None: the analysis failed)
    compatibility: Mapping[str, Any] | None = None
    #: what the plugin declares and imports (None: the analysis failed)
    dependencies: Mapping[str, Any] | None = None
    #: every file the host could load that was not analysed, whatever the rule selection
    not_analysed: tuple[Unanalysed, ...] = ()
    #: findings silenced by ``# mbcheck: ignore`` comments (not in ``findings``
    #: nor the verdict; the gate judges them unless its policy honours them)
    suppressed: tuple[SuppressedFinding, ...] = ()
    #: a bottle distribution's Python files (directories end in ``/``) its build does
    #: not ship (tests, docs, build output): digested, not analysed, not bottle code
    outside_distribution: tuple[str, ...] = ()
    #: what each of the host's metadata readers makes of a plugin (install and
    #: discovery, ``milk sdk validate``, ``milk marketplace validate``) and which
    #: one ``metadata`` shows; None for bottles and when the analysis failed
    readers: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Report:
    plugins: tuple[PluginReport, ...]
    #: problems with inputs that are not plugins at all (missing path, ...)
    errors: tuple[str, ...] = ()
    context: Mapping[str, Any] = field(default_factory=dict)

    def findings(self) -> list[tuple[PluginReport, Finding]]:
        return [(p, f) for p in self.plugins for f in p.findings]

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for _, finding in self.findings():
            counts[finding.severity.value] += 1
        return counts


def verdict_for(findings: tuple[Finding, ...] | list[Finding]) -> Verdict:
    severities = {f.severity for f in findings}
    if Severity.ERROR in severities:
        return Verdict.FAIL
    if Severity.WARNING in severities:
        return Verdict.WARN
    return Verdict.PASS
