"""SARIF 2.1.0, with rule metadata and help from the rules themselves."""

from __future__ import annotations

import json
from typing import Any

from mbcheck import __version__
from mbcheck.model import Report, Severity
from mbcheck.reporters.text import _join

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def rule_descriptor(code: str) -> dict[str, Any]:
    from mbcheck.rules import all_rules

    rule = all_rules().get(code)
    if rule is None:
        return {"id": code, "shortDescription": {"text": code}}
    docs = rule.docs()
    help_text = "\n\n".join(p for p in (docs.what, f"Why: {docs.why}" if docs.why else "", f"Instead: {docs.instead}" if docs.instead else "") if p)
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": docs.summary or rule.name},
        "fullDescription": {"text": docs.what or docs.summary or rule.name},
        "help": {"text": help_text or docs.summary or rule.name, "markdown": help_text or docs.summary or rule.name},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"category": rule.category.value, "tags": [rule.category.value]},
    }


def render(report: Report) -> str:
    codes = sorted({f.rule for _, f in report.findings()})
    index = {code: i for i, code in enumerate(codes)}
    results: list[dict[str, Any]] = []
    for plugin, finding in report.findings():
        span = finding.span
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": LEVELS[finding.severity],
            "message": {"text": finding.message},
            "locations": [
                {
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
            ],
            "partialFingerprints": {"mbcheck/v1": finding.fingerprint},
            "properties": {"category": finding.category.value, "plugin": plugin.name},
        }
        if finding.confidence is not None:
            result["properties"]["confidence"] = finding.confidence.value
        results.append(result)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mbcheck",
                        "version": __version__,
                        "informationUri": "https://mbcheck.dev",
                        "rules": [rule_descriptor(code) for code in codes],
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
