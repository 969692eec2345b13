"""Finalising a plugin's report: the settings and suppressions applied once, fingerprints, facts.

Rules report everything they find; here the selection (``select``/``ignore``,
per-file ignores), severity overrides and ``# mbcheck: ignore`` comments are
applied (and bandit's ``# nosec``, which the bandit hook marks on its
findings), unused suppressions are reported (MB002), each finding gets a stable
fingerprint (for baselines and SARIF), and the plugin's facts become the
report's sections. Findings a comment silenced leave ``findings`` and the
verdict but are kept, with the comment's location, in the report's
``suppressed`` section: the comment is the plugin author's claim, which a
host's gate need not accept. Nothing here depends on which rules ran but the findings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from mbcheck.config import Config
from mbcheck.context import PluginContext, Suppression
from mbcheck.coverage import outcome_reason
from mbcheck.model import Finding, PluginReport, SuppressedFinding, Unanalysed, verdict_for
from mbcheck.plan import PluginPlan
from mbcheck.rules.core import UnknownSuppressionCode, UnusedSuppression


def _suppressed(
    finding: Finding, suppressions: Iterable[Suppression], used: dict[int, set[str]]
) -> Suppression | None:
    """The first comment that silences ``finding`` (every matching one is marked used), or None."""
    first: Suppression | None = None
    for index, sup in enumerate(suppressions):
        if sup.covers(finding.rule, finding.span.line, finding.statement_line):
            used.setdefault(index, set()).add(finding.rule)
            first = first or sup
    return first


def _mark_used(
    code: str,
    path: str,
    line: int,
    statement_line: int,
    suppressions: dict[str, tuple[Suppression, ...]],
    used: dict[str, dict[int, set[str]]],
) -> None:
    """Every comment of ``path`` that silences ``code`` at a place counts as used."""
    for index, sup in enumerate(suppressions.get(path, ())):
        if sup.covers(code, line, statement_line):
            used.setdefault(path, {}).setdefault(index, set()).add(code)


def _fingerprint(finding: Finding, line_text: str, occurrence: int) -> str:
    material = "\0".join((finding.rule, finding.span.path, " ".join(line_text.split()), str(occurrence)))
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def finalise(plan: PluginPlan, ctx: PluginContext, config: Config) -> PluginReport:
    name = ctx.model.name
    names = (name, ctx.package)
    raw: list[Finding] = [*plan.problems, *ctx.findings]
    for outcome in plan.outcomes.values():
        raw.extend(outcome.findings)
    suppressions = {path: outcome.suppressions for path, outcome in plan.outcomes.items() if outcome.suppressions}
    used: dict[str, dict[int, set[str]]] = {}
    kept: list[Finding] = []
    # silenced by the plugin's own comments: reported in their own section, never dropped
    silenced: list[tuple[Finding, Suppression]] = []
    for finding in raw:
        if not config.enabled(finding.rule, names) or config.ignored_in_file(finding.rule, finding.span.path):
            continue
        severity = config.severity_for(finding.rule, finding.severity)
        if severity is not finding.severity:
            finding = _replace(finding, severity=severity)
        sup = (
            _suppressed(finding, suppressions[finding.span.path], used.setdefault(finding.span.path, {}))
            if finding.span.path in suppressions
            else None
        )
        if sup is None and finding.silenced_at is not None:  # bandit's `# nosec`
            sup = Suppression(finding.silenced_at.line, frozenset({finding.rule}), False, finding.silenced_at)
        if sup is not None:
            silenced.append((finding, sup))
            # a finding gathering several places is silenced only when every place is
            # (its rule left the others out): their comments served it too
            for span in finding.related:
                _mark_used(finding.rule, span.path, span.line, span.line, suppressions, used)
            continue
        kept.append(finding)
    for code, path, line, statement_line in ctx.honoured:
        if config.enabled(code, names) and not config.ignored_in_file(code, path):
            _mark_used(code, path, line, statement_line, suppressions, used)
    for finding, sup in ctx.silenced:  # comments in requirements files and manifests
        if config.enabled(finding.rule, names) and not config.ignored_in_file(finding.rule, finding.span.path):
            silenced.append((_replace(finding, severity=config.severity_for(finding.rule, finding.severity)), sup))
    unknown = _unknown_codes(suppressions)
    if config.enabled(UnknownSuppressionCode.code, names):
        for sup, problems in unknown.values():
            kept.extend(UnknownSuppressionCode.finding(sup.span, problem, statement_line=sup.line) for problem in problems)
    if config.enabled(UnusedSuppression.code, names):
        for path, sups in suppressions.items():
            for index, sup in enumerate(sups):
                matched = used.get(path, {}).get(index, set())
                if not sup.codes:
                    if not matched:
                        kept.append(_unused(sup, "suppression comment matches no finding"))
                    continue
                # a code no rule has is reported once, as unknown (MB013), not also as unused
                named = unknown.get((path, index), (sup, []))[1]
                unused = sorted(
                    c for c in sup.codes
                    if not any(m == c or m.startswith(c) for m in matched) and not any(f"`{c}`" in p for p in named)
                )
                if unused:
                    kept.append(_unused(sup, f"suppression of {', '.join(unused)} matches no finding"))
    only = plan.target.only
    if only is not None:
        kept = [f for f in kept if _concerns(f, only)]
        silenced = [(f, s) for f, s in silenced if _concerns(f, only)]
    # one numbering for kept and silenced findings: a finding keeps its fingerprint
    # whether or not a comment silences it
    tagged: list[tuple[Finding, Suppression | None]] = [*((f, None) for f in kept), *silenced]
    tagged.sort(key=lambda pair: pair[0].sort_key())
    lines: dict[str, list[str]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    final: list[Finding] = []
    hidden: list[SuppressedFinding] = []
    for finding, sup in tagged:
        path = finding.span.path
        if path not in lines:
            text = plan.read_text(path) if path else None
            lines[path] = text.splitlines() if text else []
        file_lines = lines[path]
        line_text = file_lines[finding.span.line - 1] if 0 < finding.span.line <= len(file_lines) else ""
        key = (finding.rule, path, " ".join(line_text.split()))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        printed = _replace(finding, fingerprint=_fingerprint(finding, line_text, occurrence))
        if sup is None:
            final.append(printed)
        else:
            codes = tuple(sorted(sup.codes)) if sup.codes else None
            hidden.append(SuppressedFinding(printed, sup.span, codes, sup.file_level))
    findings = tuple(final)
    declared = ctx.model.value("permissions")
    permissions: dict[str, Any] = {
        "declared": sorted(p for p in declared if isinstance(p, str)) if isinstance(declared, list) else [],
        "inferred": [],
    }
    facts = ctx.facts
    if facts.computed("permissions") is not None:
        permissions.update(facts.permissions.section())
    compatibility = facts.compatibility.section if facts.computed("compatibility") is not None else None
    dependencies = facts.dependencies.section if facts.computed("dependencies") is not None else None
    readers = facts.computed("readers")
    return PluginReport(
        name=name,
        kind=ctx.model.kind,
        path=plan.target.display,
        verdict=verdict_for(findings),
        metadata=ctx.model.metadata(),
        permissions=permissions,
        findings=findings,
        digest=plan.digest,
        manifest=ctx.model.source.value,
        compatibility=compatibility,
        dependencies=dependencies,
        not_analysed=not_analysed(plan),
        suppressed=tuple(hidden),
        outside_distribution=plan.outside,
        readers=readers.section(ctx.model.source) if readers is not None else None,
    )


def not_analysed(plan: PluginPlan) -> tuple[Unanalysed, ...]:
    """Every file of the plan the host could load that was not analysed: from the plan
    and the files' outcomes, never from the (configurable) findings."""
    reasons = dict(plan.skipped)
    for path, outcome in plan.outcomes.items():
        reason = outcome_reason(outcome)
        if reason is not None:
            reasons[path] = reason
    return tuple(sorted(Unanalysed(path, reason) for path, reason in reasons.items()))


def _concerns(finding: Finding, only: frozenset[str]) -> bool:
    """Whether a finding belongs to a run that checks only the files ``only``: one of
    its places is in them, or it is about a file that is not Python (a manifest)."""
    return any(span.path in only or not span.path.endswith(".py") for span in (finding.span, *finding.related))


def _unknown_codes(
    suppressions: dict[str, tuple[Suppression, ...]],
) -> dict[tuple[str, int], tuple[Suppression, list[str]]]:
    """(path, index) -> the comment and what is wrong with each code of it that names no rule."""
    from mbcheck.rules.selectors import selector_problem

    out: dict[tuple[str, int], tuple[Suppression, list[str]]] = {}
    for path, sups in suppressions.items():
        for index, sup in enumerate(sups):
            problems = []
            for code in sorted(sup.codes):
                problem = selector_problem(code)
                if problem is not None:
                    problems.append(f"suppression names unknown rule code `{code}`, so it silences nothing: {problem}")
            if problems:
                out[(path, index)] = (sup, problems)
    return out


def _unused(sup: Suppression, message: str) -> Finding:
    return UnusedSuppression.finding(sup.span, message, statement_line=sup.line)


def _replace(finding: Finding, **changes: Any) -> Finding:
    return replace(finding, **changes)


__all__ = ["finalise"]
