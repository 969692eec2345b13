"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from mbcheck.model import Report, Severity
from mbcheck.reporters.text import _join

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for plugin, f in report.findings():
        span = f.span
        props = ",".join(
            [
                f"file={_prop(_join(plugin.path, span.path))}",
                f"line={span.line}",
                f"col={span.column}",
                f"endLine={span.end_line}",
                f"endColumn={max(span.end_column, span.column)}",
                f"title={_prop(f'{f.rule} ({f.category.value})')}",
            ]
        )
        lines.append(f"::{COMMANDS[f.severity]} {props}::{_data(f.message)}")
    for error in report.errors:
        lines.append(f"::error::{_data(error)}")
    return "\n".join(lines) + ("\n" if lines else "")
