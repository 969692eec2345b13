"""Baselines: accept today's findings, report only new ones.

``mbcheck baseline PATH... -o .mbcheck-baseline.json`` records every finding
by plugin name and fingerprint (schema: ``schemas/baseline.schema.json``).
A fingerprint is the rule, the file, the flagged line's text (whitespace
folded) and the occurrence index of that combination, so it survives
unrelated lines moving. Entries are counted: a recorded finding accepts one
finding with its fingerprint, never two.

``mbcheck lint --baseline FILE`` (:func:`apply_baseline`) drops the accepted
findings and lists, in ``Report.context["baseline"]``, the entries that no
longer occur, so the baseline can shrink as findings are fixed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mbcheck import __version__
from mbcheck.documents.files import read_json
from mbcheck.documents.schema import first_error, path_text
from mbcheck.model import Finding, PluginReport, Report, verdict_for

VERSION = 1
DEFAULT_PATH = ".mbcheck-baseline.json"


@dataclass(frozen=True, slots=True)
class Entry:
    """Findings accepted for one plugin and fingerprint."""

    plugin: str
    fingerprint: str
    rule: str
    count: int = 1
    path: str = ""
    message: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.plugin, self.fingerprint)

    def as_dict(self) -> dict[str, Any]:
        return {
            "plugin": self.plugin,
            "fingerprint": self.fingerprint,
            "rule": self.rule,
            "path": self.path,
            "message": self.message,
            "count": self.count,
        }


@dataclass(frozen=True, slots=True)
class Baseline:
    entries: tuple[Entry, ...] = ()

    def counts(self) -> Counter[tuple[str, str]]:
        counts: Counter[tuple[str, str]] = Counter()
        for entry in self.entries:
            counts[entry.key] += entry.count
        return counts


def from_report(report: Report) -> Baseline:
    """Every finding of ``report`` as a baseline (sorted, counted by fingerprint)."""
    grouped: dict[tuple[str, str], Entry] = {}
    for plugin, finding in report.findings():
        key = (plugin.name, finding.fingerprint)
        known = grouped.get(key)
        if known is None:
            grouped[key] = Entry(plugin.name, finding.fingerprint, finding.rule, 1, finding.span.path, finding.message)
        else:
            grouped[key] = replace(known, count=known.count + 1)
    ordered = sorted(grouped.values(), key=lambda e: (e.plugin, e.path, e.rule, e.fingerprint))
    return Baseline(tuple(ordered))


def baseline_dict(baseline: Baseline) -> dict[str, Any]:
    return {
        "version": VERSION,
        "tool": {"name": "mbcheck", "version": __version__},
        "findings": [entry.as_dict() for entry in baseline.entries],
    }


def render(baseline: Baseline) -> str:
    return json.dumps(baseline_dict(baseline), indent=2) + "\n"


def write_baseline(report: Report, path: str | Path) -> Baseline:
    """Record the findings of ``report`` in ``path``; raises OSError when it cannot be written."""
    baseline = from_report(report)
    Path(path).write_text(render(baseline), encoding="utf-8")
    return baseline


def parse_baseline(data: Any, source: str = "baseline") -> Baseline:
    """A :class:`Baseline` from parsed JSON; raises ValueError naming the problem."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{source}: not an mbcheck baseline (a JSON object is expected)")
    version = data.get("version")
    if "version" in data and version != VERSION:
        raise ValueError(
            f"{source}: baseline version {version!r} is not supported (this mbcheck reads version {VERSION}); "
            "record it again with `mbcheck baseline`"
        )
    found = first_error("baseline", dict(data), "shallow")
    if found is not None:
        error, _count = found
        raise ValueError(f"{source}: does not match the baseline schema at `/{path_text(error)}`: {error.message}")
    entries = tuple(
        Entry(
            plugin=item["plugin"],
            fingerprint=item["fingerprint"],
            rule=item["rule"],
            count=item["count"],
            path=item.get("path", ""),
            message=item.get("message", ""),
        )
        for item in data["findings"]
    )
    return Baseline(entries)


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline file; raises ValueError with a clear message."""
    baseline_path = Path(path)
    data = read_json(baseline_path, "baseline", ValueError, " (create it with `mbcheck baseline`)")
    return parse_baseline(data, str(baseline_path))


def filter_report(report: Report, baseline: Baseline, source: str = "") -> Report:
    """``report`` without the findings ``baseline`` accepts; stale entries go to the context."""
    remaining = baseline.counts()
    plugins: list[PluginReport] = []
    suppressed = 0
    for plugin in report.plugins:
        kept: list[Finding] = []
        for finding in plugin.findings:
            key = (plugin.name, finding.fingerprint)
            if finding.fingerprint and remaining[key] > 0:
                remaining[key] -= 1
                suppressed += 1
                continue
            kept.append(finding)
        findings = tuple(kept)
        plugins.append(replace(plugin, findings=findings, verdict=verdict_for(findings)))
    checked = {plugin.name for plugin in report.plugins}
    stale: list[dict[str, Any]] = []
    for entry in baseline.entries:
        left = remaining[entry.key]
        if entry.plugin not in checked or left <= 0:
            continue
        count = min(left, entry.count)
        remaining[entry.key] -= count
        stale.append({**entry.as_dict(), "count": count})
    context = dict(report.context)
    context["baseline"] = {"path": source, "suppressed": suppressed, "stale": stale}
    return Report(tuple(plugins), report.errors, context)


def apply_baseline(report: Report, path: str | Path) -> Report:
    """Report only findings not recorded in the baseline file at ``path`` (ValueError if it is bad)."""
    return filter_report(report, load_baseline(path), str(path))


__all__ = [
    "DEFAULT_PATH",
    "VERSION",
    "Baseline",
    "Entry",
    "apply_baseline",
    "baseline_dict",
    "filter_report",
    "from_report",
    "load_baseline",
    "parse_baseline",
    "write_baseline",
]
