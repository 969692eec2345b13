"""Reporting a dependency finding, with suppression comments in non-Python files.

Dependency findings are often reported in ``requirements.txt``,
``plugin.yaml`` or ``pyproject.toml``, whose ``# mbcheck: ignore[...]``
comments the engine does not read (it applies suppressions of Python files
itself): :func:`emit` honours them, keeping what they silence for the report. This module imports no libcst.
"""

from __future__ import annotations

from typing import TypedDict, Unpack

from mbcheck.checks.deps.requirements import suppression_comment
from mbcheck.context import PluginContext, Suppression
from mbcheck.model import Confidence, Fix, Severity, Span
from mbcheck.rules.base import Rule


class ReportOptions(TypedDict, total=False):
    """What a finding may set besides its place and message."""

    severity: Severity | None
    confidence: Confidence | None
    statement_line: int
    #: the other places of the same problem
    related: tuple[Span, ...]
    #: how to repair it
    fix: Fix | None


def emit(
    plugin: PluginContext, rule: type[Rule] | Rule, span: Span, message: str, **options: Unpack[ReportOptions]
) -> None:
    """Report; a finding an ``# mbcheck: ignore[...]`` comment in a non-Python file covers is silenced.

    A silenced finding is kept with the comment's place (the report lists it
    under ``suppressed``; a host's gate may still judge it).
    """
    comment = None
    if span.path and not span.path.endswith(".py"):
        comment = suppression_comment(plugin.text(span.path), span.line, rule.code)
    if comment is None:
        plugin.report(rule, span, message, **options)
        return
    line, column, codes, file_level = comment
    where = Span(span.path, line, column)
    plugin.silence(rule.finding(span, message, **options), Suppression(line, frozenset(codes), file_level, where, line))


__all__ = ["ReportOptions", "emit"]
