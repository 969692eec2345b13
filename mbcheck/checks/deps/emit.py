"""Reporting a dependency finding, with suppression comments in non-Python files.

Dependency findings are often reported in ``requirements.txt``,
``plugin.yaml`` or ``pyproject.toml``, whose ``# mbcheck: ignore[...]``
comments the engine does not read (it applies suppressions of Python files
itself): :func:`emit` honours them. This module imports no libcst.
"""

from __future__ import annotations

from typing import TypedDict, Unpack

from mbcheck.checks.deps.requirements import suppressed
from mbcheck.context import PluginContext
from mbcheck.model import Confidence, Severity, Span
from mbcheck.rules.base import Rule


class ReportOptions(TypedDict, total=False):
    """What a finding may set besides its place and message."""

    severity: Severity | None
    confidence: Confidence | None
    statement_line: int


def emit(
    plugin: PluginContext, rule: type[Rule] | Rule, span: Span, message: str, **options: Unpack[ReportOptions]
) -> None:
    """Report, unless an ``# mbcheck: ignore[...]`` comment in a non-Python file covers it."""
    if span.path and not span.path.endswith(".py") and suppressed(plugin.text(span.path), span.line, rule.code):
        return
    plugin.report(rule, span, message, **options)


__all__ = ["ReportOptions", "emit"]
