"""The JSON report: a public, versioned contract (``schemas/report.schema.json``)."""

from __future__ import annotations

import json
from typing import Any

from mbcheck import __version__
from mbcheck.model import Finding, Fix, PluginReport, Report, Span, SuppressedFinding

SCHEMA_VERSION = "1.2"


def _rule_name(code: str) -> str:
    """The name of a rule whose finding did not carry it (findings normally do)."""
    from mbcheck.rules.catalog import describe

    rule = describe([code]).get(code)
    return rule.name if rule is not None else code


def finding_dict(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": finding.rule,
        "name": finding.name or _rule_name(finding.rule),
        "category": finding.category.value,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value if finding.confidence else None,
        "message": finding.message,
        "path": finding.span.path,
        "line": finding.span.line,
        "column": finding.span.column,
        "end_line": finding.span.end_line,
        "end_column": finding.span.end_column,
        "fingerprint": finding.fingerprint,
    }
    if finding.related:
        out["related"] = [span_dict(span) for span in finding.related]
    if finding.fix is not None:
        out["fix"] = fix_dict(finding.fix)
    return out


def fix_dict(fix: Fix) -> dict[str, Any]:
    """How to repair a finding: its title, whether it is safe, and its edits (`mbcheck lint --fix`)."""
    return {
        "title": fix.title,
        "applicability": fix.applicability.value,
        "edits": [{**span_dict(edit.span), "content": edit.content} for edit in fix.edits],
    }


def span_dict(span: Span) -> dict[str, Any]:
    """A place in the plugin, as the report writes it."""
    return {
        "path": span.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def suppressed_dict(item: SuppressedFinding) -> dict[str, Any]:
    """A silenced finding, and the ``# mbcheck: ignore`` comment that silenced it."""
    return {
        **finding_dict(item.finding),
        "suppressed_by": {
            "path": item.by.path,
            "line": item.by.line,
            "column": item.by.column,
            "codes": list(item.codes) if item.codes is not None else None,
            "scope": "file" if item.file_level else "statement",
        },
    }


def plugin_dict(plugin: PluginReport) -> dict[str, Any]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in plugin.findings:
        counts[finding.severity.value] += 1
    counts["suppressed"] = len(plugin.suppressed)
    out: dict[str, Any] = {
        "name": plugin.name,
        "kind": plugin.kind.value,
        "path": plugin.path,
        "verdict": plugin.verdict.value,
        "digest": plugin.digest,
        "metadata": plugin.metadata,
        "permissions": plugin.permissions,
        "counts": counts,
    }
    if plugin.compatibility is not None:
        out["compatibility"] = plugin.compatibility
    if plugin.dependencies is not None:
        out["dependencies"] = plugin.dependencies
    if plugin.manifest:
        out["manifest"] = plugin.manifest
    if plugin.readers is not None:
        out["readers"] = plugin.readers
    out["not_analysed"] = [{"path": item.path, "reason": item.reason} for item in plugin.not_analysed]
    out["findings"] = [finding_dict(f) for f in plugin.findings]
    out["suppressed"] = [suppressed_dict(s) for s in plugin.suppressed]
    if plugin.outside_distribution:
        out["outside_distribution"] = list(plugin.outside_distribution)
    return out


def report_dict(report: Report) -> dict[str, Any]:
    counts = report.counts()
    verdicts = {"pass": 0, "warn": 0, "fail": 0}
    for plugin in report.plugins:
        verdicts[plugin.verdict.value] += 1
    tool: dict[str, Any] = {"name": "mbcheck", "version": __version__}
    for key in ("rules_digest", "config_digest", "config", "settings", "host_profile"):
        if key in report.context:
            tool[key] = report.context[key]
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": tool,
        "plugins": [plugin_dict(p) for p in report.plugins],
        "errors": list(report.errors),
        "summary": {
            "plugins": len(report.plugins),
            "findings": sum(counts.values()),
            **counts,
            "verdicts": verdicts,
            "suppressed": sum(len(p.suppressed) for p in report.plugins),
        },
    }


def render(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, sort_keys=False, default=str) + "\n"
