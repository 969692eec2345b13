"""What a rule is: its metadata, docs and examples, defined once.

A rule is a class with a stable ``code``. Its docstring is its documentation
(first line: what it finds; then ``Why:`` and ``Instead:`` paragraphs); its
``VALID``/``INVALID`` examples are run by the test suite; ``mbcheck rules``,
``mbcheck explain``, SARIF rule metadata and the docs all come from here.

This module does not import libcst: plugin-level rules run on cached facts,
and a fully cached run never loads the parser.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from mbcheck.model import Category, Confidence, Finding, Fix, Severity, Span

if TYPE_CHECKING:
    from mbcheck.context import PluginContext

CODE_PATTERN = re.compile(r"^(MB\d{3}|B\d{3})$")

#: every rule class by code; filled as rule modules are imported
REGISTRY: dict[str, type[Rule]] = {}

#: the minimal valid manifest examples get when they bring none
EXAMPLE_MANIFEST = """\
name: example
version: 1.0.0
description: An example plugin for the rule documentation.
author: Example Author
email: author@example.com
license: MIT
capabilities: [example]
tags: [example]
python_version: "3.11"
"""

#: the smallest `__init__.py` that keeps the whole plugin contract (matches EXAMPLE_MANIFEST):
#: the host's install and discovery path reads only these dunders
EXAMPLE_INIT = '''\
"""An example plugin for the rule documentation."""

from typing import Any

__version__ = "1.0.0"
__description__ = "An example plugin for the rule documentation."
__author__ = "Example Author"
__email__ = "author@example.com"


class Plugin:
    def get_cli(self) -> Any:
        return None

    def get_metadata(self) -> Any:
        return None

    def validate_config(self, config: dict[str, Any]) -> bool:
        return True

    def health_check(self) -> dict[str, Any]:
        return {"status": "healthy"}

    async def initialize(self) -> bool:
        return True

    async def shutdown(self) -> None:
        return None

    def get_capabilities(self) -> list[str]:
        return ["example"]

    def get_dependencies(self) -> list[str]:
        return []

    def get_config_schema(self) -> dict[str, Any]:
        return {"type": "object"}

    def get_performance_metrics(self) -> dict[str, float]:
        return {}

    def get_error_log(self) -> list[dict[str, Any]]:
        return []


def get_plugin_interface() -> Plugin:
    return Plugin()
'''


@dataclass(frozen=True)
class Example:
    """Code a rule must (INVALID) or must not (VALID) report.

    ``code`` is the content of ``path``; ``files`` adds more files to the
    example plugin. Unless ``files`` brings a ``plugin.yaml`` (or ``bare`` is
    set), a minimal valid one is added, so source-rule examples stay short.
    ``line`` is where an INVALID example's finding must be reported.
    ``config`` holds settings the example runs with (as in the config file,
    plus ``advisories``); ``{root}`` in a value stands for the example
    plugin's directory.

    When ``archive`` is set, the example is that archive (its bytes), linted
    as a file named ``archive_name``; ``files`` and ``code`` are ignored, and
    ``path`` is where an INVALID example's finding must be reported (findings
    about the archive as a whole use ``""``).
    """

    code: str = ""
    path: str = "__init__.py"
    files: Mapping[str, str] = field(default_factory=dict)
    line: int | None = None
    bare: bool = False
    config: Mapping[str, str] = field(default_factory=dict)
    archive: bytes | None = None
    archive_name: str = "example.zip"
    #: an INVALID example of a rule that offers a fix: the plugin's files after applying the
    #: rule's fixes (unsafe ones too), by path; a str is the new content of ``path``. The suite
    #: checks the result, that it parses and that the rule no longer reports on it
    fixed: Mapping[str, str] | str | None = None

    def fixed_files(self) -> dict[str, str] | None:
        """The files :attr:`fixed` names, by path (None: the example states no fix)."""
        if self.fixed is None:
            return None
        if isinstance(self.fixed, str):
            return {self.path: self.fixed}
        return dict(self.fixed)

    def plugin_files(self) -> dict[str, str]:
        files = dict(self.files)
        if self.code or self.path not in files:
            files[self.path] = self.code
        if not self.bare and "plugin.yaml" not in files and "pyproject.toml" not in files:
            files["plugin.yaml"] = EXAMPLE_MANIFEST
        if not self.bare and "pyproject.toml" not in files:
            files.setdefault("__init__.py", "")
        return files


class Valid(Example):
    pass


class Invalid(Example):
    pass


@dataclass(frozen=True)
class RuleDocs:
    summary: str
    what: str
    why: str
    instead: str


def parse_docs(doc: str | None) -> RuleDocs:
    text = inspect.cleandoc(doc or "")
    sections: dict[str, list[str]] = {"what": [], "why": [], "instead": []}
    current = "what"
    for line in text.splitlines():
        stripped = line.strip()
        lowered = stripped.lower()
        if lowered.startswith("why:"):
            current, stripped = "why", stripped[4:].strip()
        elif lowered.startswith("instead:"):
            current, stripped = "instead", stripped[8:].strip()
        sections[current].append(stripped)

    def para(key: str) -> str:
        return re.sub(r"[ \t]+", " ", "\n".join(sections[key])).strip()

    what = para("what")
    summary = what.split("\n", 1)[0].strip()
    return RuleDocs(summary=summary, what=what, why=para("why"), instead=para("instead"))


#: when set (the test suite sets it), a finding at a severity its rule does not
#: declare raises :class:`UndeclaredSeverity` instead of passing silently
STRICT = False


class UndeclaredSeverity(ValueError):
    """A rule emitted a severity it does not declare (see :attr:`Rule.other_severities`)."""


class Rule:
    """Base of every rule. Subclasses set the class attributes below."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    category: ClassVar[Category]
    #: the severity of the rule's findings unless :attr:`other_severities` says otherwise
    severity: ClassVar[Severity] = Severity.ERROR
    #: every other severity the rule can emit, with when it does (``mbcheck rules``,
    #: ``explain`` and SARIF show them; SARIF's default level is the highest)
    other_severities: ClassVar[Mapping[Severity, str]] = {}
    confidence: ClassVar[Confidence | None] = None
    VALID: ClassVar[Sequence[Example]] = ()
    INVALID: ClassVar[Sequence[Example]] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        code = cls.__dict__.get("code")
        if not code:
            return
        if not CODE_PATTERN.match(code):
            raise ValueError(f"rule code {code!r} does not match {CODE_PATTERN.pattern}")
        if code in REGISTRY and REGISTRY[code].__qualname__ != cls.__qualname__:
            raise ValueError(f"rule code {code} defined twice: {REGISTRY[code]} and {cls}")
        if not cls.name:
            raise ValueError(f"rule {code} has no name")
        REGISTRY[code] = cls

    @classmethod
    def docs(cls) -> RuleDocs:
        return parse_docs(cls.__doc__)

    @classmethod
    def severities(cls) -> tuple[Severity, ...]:
        """Every severity the rule can emit, highest first."""
        return tuple(sorted({cls.severity, *cls.other_severities}, key=lambda s: -s.rank))

    @classmethod
    def highest_severity(cls) -> Severity:
        return cls.severities()[0]

    @classmethod
    def finding(
        cls,
        span: Span,
        message: str,
        *,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        statement_line: int = 0,
        related: tuple[Span, ...] = (),
        fix: Fix | None = None,
    ) -> Finding:
        """A finding of this rule (default severity and confidence unless given);
        ``related`` holds the other places of the same problem; ``fix`` how to repair it
        (built by the rule where it reports: it has the tree, the facts and the positions then)."""
        if STRICT and severity is not None and severity is not cls.severity and severity not in cls.other_severities:
            raise UndeclaredSeverity(f"rule {cls.code} emits severity {severity.value}, which it does not declare")
        return Finding(
            rule=cls.code,
            category=cls.category,
            severity=severity or cls.severity,
            message=message,
            span=span,
            confidence=confidence or cls.confidence,
            statement_line=statement_line or span.line,
            name=cls.name,
            related=related,
            fix=fix,
        )


class PluginRule(Rule):
    """A rule that checks one plugin as a whole: its model and its files' facts."""

    #: the rule reads values of the manifest document: it does not run when the document
    #: could not be read (MB101 reports that once; an empty model would only add noise)
    needs_manifest: ClassVar[bool] = False

    def check(self, plugin: PluginContext) -> None:
        raise NotImplementedError


class RunRule(Rule):
    """A rule that checks every plugin of a run together (shared environment)."""

    def check_run(self, plugins: Sequence[PluginContext]) -> None:
        raise NotImplementedError


class ExternalRule(Rule):
    """Metadata for findings produced by another analyser (bandit tests)."""
