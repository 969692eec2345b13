"""SARIF 2.1.0, with rule metadata and help from the rules themselves."""

from __future__ import annotations

import json
from typing import Any

from mbcheck import __version__
from mbcheck.model import Finding, PluginReport, Report, Severity, Span
from mbcheck.reporters.text import _join
from mbcheck.rules.catalog import REPOSITORY_URL, RuleInfo, describe, help_uri

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


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
        "properties": {"category": rule.category.value, "tags": [rule.category.value]},
    }


def _result(plugin: PluginReport, finding: Finding, rule_index: int) -> dict[str, Any]:
    span = finding.span
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(plugin, span)],
        "partialFingerprints": {"mbcheck/v1": finding.fingerprint},
        "properties": {"category": finding.category.value, "plugin": plugin.name},
    }
    if finding.confidence is not None:
        result["properties"]["confidence"] = finding.confidence.value
    if finding.related:
        result["relatedLocations"] = [
            {"id": number, **_location(plugin, span), "message": {"text": "also here"}}
            for number, span in enumerate(finding.related, start=1)
        ]
    return result


def _location(plugin: PluginReport, span: Span) -> dict[str, Any]:
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
        "tool": {
            "driver": {
                "name": "mbcheck",
                "version": __version__,
                "informationUri": REPOSITORY_URL,
                "rules": [rule_descriptor(code, rules.get(code)) for code in codes],
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    }
    if "settings" in report.context:
        # where the run's settings came from and what they were (as in the JSON report's `tool`)
        properties = {key: report.context[key] for key in ("config", "settings", "config_digest") if key in report.context}
        run["invocations"] = [{"executionSuccessful": not report.errors, "properties": properties}]
    return json.dumps(document, indent=2) + "\n"
