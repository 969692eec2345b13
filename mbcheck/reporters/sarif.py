"""SARIF 2.1.0, with rule metadata and help from the rules themselves."""

from __future__ import annotations

import json
from typing import Any

from mbcheck import __version__
from mbcheck.archive.formats import has_archive_name
from mbcheck.model import Category, Confidence, Finding, Fix, PluginReport, Report, Severity, Span
from mbcheck.reporters.text import _join
from mbcheck.rules.catalog import REPOSITORY_URL, RuleInfo, describe, help_uri

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

#: GitHub code scanning's ``security-severity`` (0-10: low below 4, medium below 7, high below 9,
#: critical from 9) of a security finding, by its severity and confidence; a rule is rated by its
#: highest severity and its confidence (bandit's rules, rated per finding, count as medium)
SECURITY_SEVERITY: dict[tuple[Severity, Confidence], str] = {
    (Severity.ERROR, Confidence.HIGH): "9.0",
    (Severity.ERROR, Confidence.MEDIUM): "8.0",
    (Severity.ERROR, Confidence.LOW): "7.0",
    (Severity.WARNING, Confidence.HIGH): "6.5",
    (Severity.WARNING, Confidence.MEDIUM): "5.5",
    (Severity.WARNING, Confidence.LOW): "4.0",
    (Severity.INFO, Confidence.HIGH): "3.5",
    (Severity.INFO, Confidence.MEDIUM): "2.5",
    (Severity.INFO, Confidence.LOW): "1.0",
}


def security_severity(severity: Severity, confidence: Confidence | None) -> str:
    """GitHub's 0-10 rating of a security rule or finding (see :data:`SECURITY_SEVERITY`)."""
    return SECURITY_SEVERITY[(severity, confidence or Confidence.MEDIUM)]


def rule_descriptor(code: str, rule: RuleInfo | None) -> dict[str, Any]:
    if rule is None:
        return {"id": code, "shortDescription": {"text": code}}
    help_text = "\n\n".join(
        p for p in (rule.what, f"Why: {rule.why}" if rule.why else "", f"Instead: {rule.instead}" if rule.instead else "") if p
    )
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary or rule.name},
        "fullDescription": {"text": rule.what or rule.summary or rule.name},
        "help": {"text": help_text or rule.summary or rule.name, "markdown": help_text or rule.summary or rule.name},
        "helpUri": help_uri(code),
        # a rule whose severity varies per finding is as severe as its worst
        "defaultConfiguration": {"level": LEVELS[rule.highest_severity]},
        "properties": {
            "category": rule.category.value,
            "tags": [rule.category.value],
            **(
                {"security-severity": security_severity(rule.highest_severity, rule.confidence)}
                if rule.category is Category.SECURITY
                else {}
            ),
        },
    }


def _result(plugin: PluginReport, finding: Finding, rule_index: int) -> dict[str, Any]:
    span = finding.span
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message + _inside(plugin, span)},
        "locations": [_location(plugin, span)],
        "partialFingerprints": {"mbcheck/v1": finding.fingerprint},
        "properties": {"category": finding.category.value, "plugin": plugin.name},
    }
    if finding.confidence is not None:
        result["properties"]["confidence"] = finding.confidence.value
    if finding.category is Category.SECURITY:
        result["properties"]["security-severity"] = security_severity(finding.severity, finding.confidence)
    if finding.fix is not None and finding.fix.edits and not _in_archive(plugin):
        result["fixes"] = [_fix(plugin, finding.fix)]
    if finding.related:
        result["relatedLocations"] = [
            {"id": number, **_location(plugin, span), "message": {"text": "also here"}}
            for number, span in enumerate(finding.related, start=1)
        ]
    return result


def _fix(plugin: PluginReport, fix: Fix) -> dict[str, Any]:
    """A SARIF ``fix``: per file, the regions deleted and the text inserted there
    (an insertion is an empty region)."""
    changes: dict[str, list[dict[str, Any]]] = {}
    for edit in fix.edits:
        span = edit.span
        changes.setdefault(span.path, []).append({
            "deletedRegion": {
                "startLine": span.line,
                "startColumn": span.column,
                "endLine": span.end_line,
                "endColumn": span.end_column,
            },
            "insertedContent": {"text": edit.content},
        })
    return {
        "description": {"text": f"{fix.title} ({fix.applicability.value})"},
        "artifactChanges": [
            {"artifactLocation": {"uri": _join(plugin.path, path)}, "replacements": replacements}
            for path, replacements in changes.items()
        ],
    }


def _in_archive(plugin: PluginReport) -> bool:
    return has_archive_name(plugin.path)


def _inside(plugin: PluginReport, span: Span) -> str:
    """For a plugin archive: where in it the finding is (the repository holds the archive, not its files)."""
    if not _in_archive(plugin) or not span.path:
        return ""
    return f" (in {plugin.path}: {span.path}:{span.line}:{span.column})"


def _location(plugin: PluginReport, span: Span) -> dict[str, Any]:
    if _in_archive(plugin):
        # the archive is the file code scanning can show; the member is a logical location
        location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": plugin.path}}}
        if span.path:
            location["logicalLocations"] = [{"fullyQualifiedName": f"{plugin.path}/{span.path}", "name": span.path, "kind": "module"}]
        return location
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _join(plugin.path, span.path)},
            "region": {
                "startLine": span.line,
                "startColumn": span.column,
                "endLine": span.end_line,
                "endColumn": max(span.end_column, span.column),
            },
        }
    }


def _notifications(errors: tuple[str, ...] | list[str]) -> list[dict[str, Any]]:
    return [{"level": "error", "message": {"text": error}} for error in errors]


def _driver(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": "mbcheck", "version": __version__, "informationUri": REPOSITORY_URL, "rules": rules}


def render_failure(errors: list[str]) -> str:
    """A SARIF log of a run that could not be done (exit 2): no results, the errors as notifications."""
    run = {
        "tool": {"driver": _driver([])},
        "invocations": [{"executionSuccessful": False, "toolExecutionNotifications": _notifications(errors)}],
        "results": [],
        "columnKind": "unicodeCodePoints",
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def render(report: Report) -> str:
    silenced = [(plugin, item) for plugin in report.plugins for item in plugin.suppressed]
    codes = sorted({f.rule for _, f in report.findings()} | {item.finding.rule for _, item in silenced})
    rules = describe(codes)
    index = {code: i for i, code in enumerate(codes)}
    results = [_result(plugin, finding, index[finding.rule]) for plugin, finding in report.findings()]
    for plugin, item in silenced:
        # SARIF's own way to say a result was silenced in the source
        result = _result(plugin, item.finding, index[item.finding.rule])
        named = ", ".join(item.codes) if item.codes else "every code"
        kind = "ignore-file" if item.file_level else "ignore"
        result["suppressions"] = [
            {
                "kind": "inSource",
                "location": _location(plugin, item.by),
                "justification": f"`# mbcheck: {kind}` comment ({named})",
            }
        ]
        results.append(result)
    run: dict[str, Any] = {
        "tool": {"driver": _driver([rule_descriptor(code, rules.get(code)) for code in codes])},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    }
    # where the run's settings came from and what they were (as in the JSON report's `tool`);
    # a run with input errors (exit 2) is not a successful one, and says why
    properties = {key: report.context[key] for key in ("config", "settings", "config_digest") if key in report.context}
    invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
    if report.errors:
        invocation["toolExecutionNotifications"] = _notifications(report.errors)
    if properties:
        invocation["properties"] = properties
    run["invocations"] = [invocation]
    return json.dumps(document, indent=2) + "\n"
